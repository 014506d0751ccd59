import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock, KubeClient, KubeObject } from '../kube/index.js';
import { isAlreadyExists, isConflict, sleep, systemClock } from '../kube/index.js';

/** Options of {@link LeaderElector}. */
export interface LeaderElectionOptions {
  /** The Lease's name, e.g. `kustomize-controller-leader-election`. */
  name: string;
  /** The Lease's namespace. */
  namespace: string;
  /** This process's identity, unique among candidates (e.g. the pod name plus a random suffix). */
  identity: string;
  /** How long a lease is valid without renewal. Default: 15 000 ms. */
  leaseDurationMs?: number;
  /** A leader that cannot renew for this long steps down. Default: 10 000 ms. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default: 2 000 ms. */
  retryPeriodMs?: number;
  /** Clear the holder when stopping, so another candidate takes over at once. Default: true. */
  releaseOnStop?: boolean;
}

/** Dependencies of {@link LeaderElector}. */
export interface LeaderElectorDeps {
  kube: KubeClient;
  /** Default: {@link systemClock}. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** Told when leadership changes (e.g. a metrics gauge). */
  onChange?: (leading: boolean) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

/** Formats a time as a Kubernetes MicroTime (`2006-01-02T15:04:05.000000Z`). */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's rules: a candidate takes the lease
 * when it is free or its holder has not renewed it within `leaseDurationSeconds` as observed on the local
 * clock (so clocks need not agree); the leader renews every retry period and steps down when it cannot renew
 * within the renew deadline; writes are guarded by `resourceVersion`.
 */
export class LeaderElector {
  readonly #deps: Required<Omit<LeaderElectorDeps, 'onChange'>> & Pick<LeaderElectorDeps, 'onChange'>;
  readonly #opts: Required<LeaderElectionOptions>;
  #leading = false;
  #observed: { holder: string; renewTime: string; at: number } | undefined;
  #lease: Lease | undefined;

  constructor(deps: LeaderElectorDeps, options: LeaderElectionOptions) {
    this.#deps = {
      kube: deps.kube,
      clock: deps.clock ?? systemClock,
      logger: (deps.logger ?? pino({ level: 'silent' })).child({
        lease: `${options.namespace}/${options.name}`,
      }),
      ...(deps.onChange ? { onChange: deps.onChange } : {}),
    };
    this.#opts = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      releaseOnStop: true,
      ...options,
    };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.#opts;
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
      throw new Error(
        `Leader election needs leaseDurationMs > renewDeadlineMs > retryPeriodMs > 0, got ${leaseDurationMs}, ${renewDeadlineMs}, ${retryPeriodMs}`,
      );
    }
  }

  /** True while this process holds the lease. */
  get isLeader(): boolean {
    return this.#leading;
  }

  /** The identity of this candidate. */
  get identity(): string {
    return this.#opts.identity;
  }

  /**
   * Campaigns until `signal` aborts: waits to acquire the lease, calls `onStartedLeading` with a signal that
   * aborts when leadership is lost or the run stops, renews, and calls `onStoppedLeading` when it ends.
   * Campaigns again after losing the lease. Resolves after `signal` aborts (and the lease is released).
   */
  async run(
    signal: AbortSignal,
    callbacks: { onStartedLeading: (leading: AbortSignal) => void; onStoppedLeading?: () => void },
  ): Promise<void> {
    const { clock, logger } = this.#deps;
    const { retryPeriodMs, renewDeadlineMs } = this.#opts;
    while (!signal.aborted) {
      // Acquire.
      while (!signal.aborted && !(await this.#tryAcquireOrRenew(signal))) {
        await sleep(retryPeriodMs, { clock, signal }).catch(() => {});
      }
      if (signal.aborted) break;
      this.#setLeading(true);
      logger.info({ identity: this.#opts.identity }, 'successfully acquired lease');
      const leading = new AbortController();
      const onStop = () => leading.abort();
      signal.addEventListener('abort', onStop, { once: true });
      callbacks.onStartedLeading(leading.signal);
      // Renew.
      let lastRenew = clock.now();
      while (!signal.aborted) {
        await sleep(retryPeriodMs, { clock, signal }).catch(() => {});
        if (signal.aborted) break;
        if (await this.#tryAcquireOrRenew(signal)) {
          lastRenew = clock.now();
        } else if (clock.now() - lastRenew >= renewDeadlineMs || this.#heldByOther()) {
          logger.warn({ identity: this.#opts.identity }, 'lost lease');
          break;
        }
      }
      signal.removeEventListener('abort', onStop);
      leading.abort();
      this.#setLeading(false);
      callbacks.onStoppedLeading?.();
      if (signal.aborted) {
        if (this.#opts.releaseOnStop) await this.#release();
        break;
      }
    }
  }

  #setLeading(leading: boolean): void {
    if (this.#leading === leading) return;
    this.#leading = leading;
    this.#deps.onChange?.(leading);
  }

  #heldByOther(): boolean {
    const holder = this.#lease?.spec?.holderIdentity;
    return !!holder && holder !== this.#opts.identity;
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { kube, clock, logger } = this.#deps;
    const { name, namespace, identity, leaseDurationMs } = this.#opts;
    const now = clock.now();
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name };
    const durationSeconds = Math.ceil(leaseDurationMs / 1000);
    try {
      const lease = await kube.tryGet<Lease>(ref, { signal, timeoutMs: this.#opts.renewDeadlineMs });
      if (!lease) {
        const created = await kube.create<Lease>({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        this.#lease = created;
        this.#observe(created, now);
        return true;
      }
      this.#lease = lease;
      this.#observe(lease, now);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const held = holder !== '' && holder !== identity;
      const validMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (held && this.#observed && this.#observed.at + validMs > now) return false;
      const next: Lease = {
        ...lease,
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          renewTime: microTime(now),
          acquireTime: holder === identity ? (spec.acquireTime ?? microTime(now)) : microTime(now),
          leaseTransitions:
            holder === identity ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
        },
      };
      const updated = await kube.update<Lease>(next, { signal, timeoutMs: this.#opts.renewDeadlineMs });
      this.#lease = updated;
      this.#observe(updated, now);
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err) && !signal.aborted) {
        logger.warn({ err: (err as Error).message }, 'error acquiring or renewing lease');
      }
      return false;
    }
  }

  #observe(lease: Lease, now: number): void {
    const holder = lease.spec?.holderIdentity ?? '';
    const renewTime = lease.spec?.renewTime ?? '';
    if (!this.#observed || this.#observed.holder !== holder || this.#observed.renewTime !== renewTime) {
      this.#observed = { holder, renewTime, at: now };
    }
  }

  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease || lease.spec?.holderIdentity !== this.#opts.identity) return;
    const now = this.#deps.clock.now();
    try {
      await this.#deps.kube.update<Lease>(
        {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            renewTime: microTime(now),
            acquireTime: microTime(now),
          },
        },
        { timeoutMs: this.#opts.renewDeadlineMs },
      );
    } catch (err) {
      this.#deps.logger.warn({ err: (err as Error).message }, 'cannot release lease');
    }
  }
}
