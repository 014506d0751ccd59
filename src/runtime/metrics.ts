import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of the controller engine, in one registry per process: Flux's
 * `gotk_reconcile_duration_seconds`, controller-runtime's reconcile totals, errors and worker gauges, the
 * `workqueue_*` family and the leader election status.
 */
export class RuntimeMetrics {
  /** The registry every metric is registered in; serve it on `/metrics`. */
  readonly registry: Registry;
  /** `gotk_reconcile_duration_seconds{kind,name,namespace}`. */
  readonly reconcileDuration: Histogram<'kind' | 'name' | 'namespace'>;
  /** `controller_runtime_reconcile_total{controller,result}`; result is success, error, requeue_after. */
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  /** `controller_runtime_reconcile_errors_total{controller}`. */
  readonly reconcileErrors: Counter<'controller'>;
  /** `controller_runtime_reconcile_time_seconds{controller}`. */
  readonly reconcileTime: Histogram<'controller'>;
  /** `controller_runtime_active_workers{controller}`. */
  readonly activeWorkers: Gauge<'controller'>;
  /** `controller_runtime_max_concurrent_reconciles{controller}`. */
  readonly maxConcurrent: Gauge<'controller'>;
  /** `workqueue_depth{name}`. */
  readonly queueDepth: Gauge<'name'>;
  /** `workqueue_adds_total{name}`. */
  readonly queueAdds: Counter<'name'>;
  /** `workqueue_retries_total{name}`. */
  readonly queueRetries: Counter<'name'>;
  /** `workqueue_dropped_total{name}`: adds refused because the queue was full. */
  readonly queueDropped: Counter<'name'>;
  /** `workqueue_queue_duration_seconds{name}`. */
  readonly queueLatency: Histogram<'name'>;
  /** `leader_election_master_status{name}`: 1 while this process leads. */
  readonly leader: Gauge<'name'>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.reconcileDuration = new Histogram({
      name: 'gotk_reconcile_duration_seconds',
      help: 'The duration in seconds of a gitops toolkit resource reconciliation.',
      labelNames: ['kind', 'name', 'namespace'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
    });
    this.queueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.queueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.queueDropped = new Counter({
      name: 'workqueue_dropped_total',
      help: 'Total number of adds dropped because the workqueue was full',
      labelNames: ['name'],
      registers,
    });
    this.queueLatency = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60, 300],
      registers,
    });
    this.leader = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
      labelNames: ['name'],
      registers,
    });
  }
}
