import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock, InformerScope, KubeClient, KubeObject, TypeRef } from '../kube/index.js';
import { EventRecorder, EventStream, InformerFactory, systemClock } from '../kube/index.js';
import type { ControllerOptions, Predicate, Reconciler } from './controller.js';
import { Controller, primaryPredicate } from './controller.js';
import type { LeaderElectionOptions } from './leader-election.js';
import { LeaderElector } from './leader-election.js';
import { RuntimeMetrics } from './metrics.js';

/** Options of {@link Manager}. */
export interface ManagerOptions {
  /** Serve `/metrics` on `host:port` (port 0 = random); absent = not served. Example: `127.0.0.1:0`, `:8080`. */
  metricsAddr?: string;
  /** Serve `/healthz` and `/readyz` on `host:port`; absent = not served; may equal `metricsAddr`. */
  healthAddr?: string;
  /** Campaign for a Lease before starting controllers; absent = no leader election. */
  leaderElection?: LeaderElectionOptions;
  /** Watch the controllers' own kinds in this namespace only; all namespaces when absent. */
  namespace?: string;
  /** Reconcile only objects matching this label selector (`--watch-label-selector`, sharding). */
  labelSelector?: string;
  /** Default `concurrent` of controllers (`--concurrent`). Default: 4. */
  concurrent?: number;
  /** Default retry delays of controllers. Defaults: 750 ms and 15 min. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Seconds informers' watches last (randomised up to twice as long). Default: 300. */
  watchTimeoutSeconds?: number;
}

/** Dependencies of {@link Manager}. */
export interface ManagerDeps {
  kube: KubeClient;
  /** Default: silent. */
  logger?: Logger;
  /** Default: {@link systemClock}. */
  clock?: Clock;
  /** Uniform random in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** Default: a new {@link RuntimeMetrics} with its own registry. */
  metrics?: RuntimeMetrics;
  /** Where recorded events are published. Default: a new {@link EventStream}. */
  events?: EventStream;
}

/** What {@link Manager.addController} needs beyond {@link ControllerOptions}. */
export interface AddControllerOptions extends Omit<ControllerOptions, 'kind'> {
  /** The kind the controller reconciles; its informer (scoped by the manager) enqueues requests. */
  for: TypeRef;
  reconciler: Reconciler;
  /** Filters changes of the own kind. Default: {@link primaryPredicate}. */
  predicate?: Predicate;
}

/** A named check for `/healthz` or `/readyz`: resolves when healthy, throws (or returns false) when not. */
export type HealthCheck = () => boolean | Promise<boolean>;

/**
 * Runs many controllers in one process: shared informers, one metrics registry, health endpoints, event
 * recording, and optional leader election (controllers and informers start only while leading).
 */
export class Manager {
  /** Shared informers; controllers' secondary watches come from here too. */
  readonly informers: InformerFactory;
  readonly metrics: RuntimeMetrics;
  /** The in-process stream of every event recorded through {@link Manager.eventRecorder}. */
  readonly events: EventStream;
  readonly kube: KubeClient;
  readonly #deps: Required<Omit<ManagerDeps, 'metrics' | 'events'>>;
  readonly #options: ManagerOptions;
  readonly #controllers: Controller[] = [];
  readonly #healthChecks = new Map<string, HealthCheck>();
  readonly #readyChecks = new Map<string, HealthCheck>();
  readonly #servers: http.Server[] = [];
  #addresses: { metrics?: string; health?: string } = {};
  #stop: AbortController | undefined;
  #running: Promise<void>[] = [];
  #elector: LeaderElector | undefined;
  #started = false;

  constructor(deps: ManagerDeps, options: ManagerOptions = {}) {
    this.kube = deps.kube;
    this.#deps = {
      kube: deps.kube,
      logger: deps.logger ?? pino({ level: 'silent' }),
      clock: deps.clock ?? systemClock,
      random: deps.random ?? Math.random,
    };
    this.#options = options;
    this.metrics = deps.metrics ?? new RuntimeMetrics();
    this.events = deps.events ?? new EventStream();
    this.informers = new InformerFactory(
      { kube: deps.kube, logger: this.#deps.logger, clock: this.#deps.clock, random: this.#deps.random },
      options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {},
    );
    this.#healthChecks.set('ping', () => true);
    this.#readyChecks.set('informers', () => !this.#started || !this.isLeader || this.informers.hasSynced());
  }

  /** True while this process leads (always true without leader election, once started). */
  get isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader : this.#started;
  }

  /** The controllers added so far. */
  get controllers(): readonly Controller[] {
    return this.#controllers;
  }

  /** `http://host:port` of the metrics and health servers, once started. */
  get addresses(): { metrics?: string; health?: string } {
    return this.#addresses;
  }

  /**
   * Adds a controller for a kind: its informer (scoped by the manager's namespace and label selector) enqueues
   * requests filtered by `predicate`. Add secondary watches with `controller.watch(manager.informers.informerFor(…))`.
   */
  addController(options: AddControllerOptions): Controller {
    const { for: type, reconciler, predicate, ...rest } = options;
    const controller = new Controller(
      {
        reconciler,
        logger: this.#deps.logger,
        clock: this.#deps.clock,
        random: this.#deps.random,
        metrics: this.metrics,
      },
      {
        concurrent: this.#options.concurrent ?? 4,
        ...(this.#options.minRetryDelayMs ? { minRetryDelayMs: this.#options.minRetryDelayMs } : {}),
        ...(this.#options.maxRetryDelayMs ? { maxRetryDelayMs: this.#options.maxRetryDelayMs } : {}),
        ...rest,
        kind: type.kind,
      },
    );
    const primary = this.informerFor(type, {
      ...(this.#options.labelSelector ? { labelSelector: this.#options.labelSelector } : {}),
    });
    controller.watch(primary, { predicate: predicate ?? primaryPredicate });
    this.#controllers.push(controller);
    if (this.#started && this.isLeader && this.#stop) this.#running.push(controller.start(this.#stop.signal));
    return controller;
  }

  /**
   * The shared informer for a kind within the manager's namespace (for secondary watches: the label selector
   * that shards controllers applies to their own kinds only).
   */
  informerFor<T extends KubeObject = KubeObject>(type: TypeRef, scope: InformerScope = {}) {
    return this.informers.informerFor<T>(type, {
      ...(this.#options.namespace ? { namespace: this.#options.namespace } : {}),
      ...scope,
    });
  }

  /** An event recorder for a controller, publishing to {@link Manager.events}. */
  eventRecorder(
    reportingController: string,
    options: { writeKubernetesEvents?: boolean } = {},
  ): EventRecorder {
    return new EventRecorder(
      { kube: this.kube, stream: this.events, clock: this.#deps.clock, logger: this.#deps.logger },
      { reportingController, ...options },
    );
  }

  /** Adds a check to `/healthz`. */
  addHealthCheck(name: string, check: HealthCheck): void {
    this.#healthChecks.set(name, check);
  }

  /** Adds a check to `/readyz`. */
  addReadyCheck(name: string, check: HealthCheck): void {
    this.#readyChecks.set(name, check);
  }

  /**
   * Starts the HTTP endpoints and, once leading (at once without leader election), the informers and
   * controllers. Resolves when the endpoints listen; controllers keep running until {@link Manager.stop}.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#stop = new AbortController();
    const signal = this.#stop.signal;
    await this.#serve();
    const lead = (leading: AbortSignal) => {
      this.informers.start();
      for (const c of this.#controllers) this.#running.push(c.start(leading));
    };
    if (this.#options.leaderElection) {
      const gaugeName = this.#options.leaderElection.name;
      this.#elector = new LeaderElector(
        {
          kube: this.kube,
          clock: this.#deps.clock,
          logger: this.#deps.logger,
          onChange: (leading) => this.metrics.leader.set({ name: gaugeName }, leading ? 1 : 0),
        },
        this.#options.leaderElection,
      );
      this.#running.push(
        this.#elector.run(signal, {
          onStartedLeading: lead,
          onStoppedLeading: () => {
            // Losing the lease means another process may be reconciling: stop at once, as controller-runtime does.
            if (!signal.aborted) {
              this.#deps.logger.error('leader election lost, stopping controllers');
              void this.stop();
            }
          },
        }),
      );
    } else {
      lead(signal);
    }
  }

  /** Resolves when every informer has synced (call after {@link Manager.start}; needs leadership). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.informers.waitForSync(signal);
  }

  /** Stops controllers, informers, leader election (releasing the lease) and the HTTP endpoints. */
  async stop(): Promise<void> {
    if (!this.#stop) return;
    const stop = this.#stop;
    this.#stop = undefined;
    stop.abort();
    await Promise.all(this.#controllers.map((c) => c.stop()));
    await this.informers.stop();
    await Promise.allSettled(this.#running);
    this.#running = [];
    await Promise.all(
      this.#servers.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    this.#started = false;
  }

  async #serve(): Promise<void> {
    const { metricsAddr, healthAddr } = this.#options;
    const same = metricsAddr !== undefined && metricsAddr === healthAddr;
    if (metricsAddr !== undefined) {
      const url = await this.#listen(metricsAddr, { metrics: true, health: same });
      this.#addresses.metrics = url;
      if (same) this.#addresses.health = url;
    }
    if (healthAddr !== undefined && !same) {
      this.#addresses.health = await this.#listen(healthAddr, { metrics: false, health: true });
    }
  }

  async #listen(addr: string, serve: { metrics: boolean; health: boolean }): Promise<string> {
    const colon = addr.lastIndexOf(':');
    const host = colon > 0 ? addr.slice(0, colon) : '0.0.0.0';
    const port = Number(colon >= 0 ? addr.slice(colon + 1) : addr);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`Address ${addr} is not host:port`);
    }
    const server = http.createServer((req, res) => {
      void this.#handle(req, res, serve);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#servers.push(server);
    const info = server.address() as AddressInfo;
    return `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
  }

  async #handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    serve: { metrics: boolean; health: boolean },
  ): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (serve.metrics && path === '/metrics') {
        const body = await this.metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
        res.end(body);
        return;
      }
      if (serve.health && (path === '/healthz' || path === '/readyz')) {
        const checks = path === '/healthz' ? this.#healthChecks : this.#readyChecks;
        const failed: string[] = [];
        for (const [name, check] of checks) {
          try {
            if ((await check()) === false) failed.push(name);
          } catch {
            failed.push(name);
          }
        }
        res.writeHead(failed.length ? 500 : 200, { 'Content-Type': 'text/plain' });
        res.end(failed.length ? `failed: ${failed.join(', ')}\n` : 'ok\n');
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${(err as Error).message}\n`);
    }
  }
}
