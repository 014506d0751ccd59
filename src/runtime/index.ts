/**
 * The controller engine: a manager that runs many controllers in one process over shared informers; work
 * queues that deduplicate, back off exponentially and requeue with jitter; the reconcile contract
 * (`reconcile(ctx, {namespace, name}) → {requeueAfterMs?}`, throw to retry, `TerminalError` to stop);
 * status conditions with Flux's semantics and a patcher that writes status once per reconcile; finalizer,
 * reconcile-request and suspend helpers; leader election on a Lease; Prometheus metrics, health endpoints
 * and JSON logs.
 */
export { type Conditioned, conditions, type MarkOptions, type SummarizeOptions } from './conditions.js';
export {
  type ChangeEvent,
  Controller,
  type ControllerDeps,
  type ControllerOptions,
  type Predicate,
  parseRequestKey,
  predicates,
  primaryPredicate,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  requestKey,
  type WatchMapOptions,
} from './controller.js';
export { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from './finalizers.js';
export { exponentialBackoff, jitter } from './jitter.js';
export { type LeaderElectionOptions, LeaderElector, type LeaderElectorDeps } from './leader-election.js';
export { createLogger, type LoggerOptions } from './logger.js';
export {
  type AddControllerOptions,
  type HealthCheck,
  Manager,
  type ManagerDeps,
  type ManagerOptions,
} from './manager.js';
export {
  cgroupMemoryLimit,
  MemoryTarget,
  type MemoryTargetOptions,
  parseByteSize,
} from './memory-target.js';
export { RuntimeMetrics } from './metrics.js';
export { createPatcher, type Patcher, type PatcherOptions } from './patcher.js';
export { handleReconcileRequest, isSuspended, reconcileRequestedAt } from './reconcile-request.js';
export { WorkQueue, type WorkQueueHooks, type WorkQueueOptions } from './work-queue.js';
