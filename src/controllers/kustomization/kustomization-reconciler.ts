import type { Logger } from 'pino';
import {
  type Artifact,
  ConditionReason,
  ConditionType,
  formatDuration,
  type Kustomization,
  KustomizeMeta,
  kustomizationTimeoutMs,
  parseDuration,
  SluiceError,
  TerminalError,
} from '../../api/index.js';
import {
  ApplyError,
  type ChangeSet,
  HealthCheckError,
  type Inventory,
  inventoryDiff,
  inventoryFromChangeSet,
  inventoryObjects,
  mergeInventory,
  ResourceManager,
  type WatchHub,
} from '../../apply/index.js';
import type {
  Clock,
  EventRecorder,
  KubeClient,
  KubeObject,
  ObjectRef,
  TimerHandle,
  TypeRef,
} from '../../kube/index.js';
import { systemClock } from '../../kube/index.js';
import {
  addFinalizer,
  conditions,
  createPatcher,
  handleReconcileRequest,
  hasFinalizer,
  isBeingDeleted,
  isSuspended,
  type Patcher,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  removeFinalizer,
} from '../../runtime/index.js';
import { StepError } from '../source-common/index.js';
import { recordHistory } from './history.js';
import type { ManifestBuilder } from './manifest-builder.js';

/** The Kustomization kind. */
export const KUSTOMIZATION: TypeRef = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
/** The HelmRelease kind, as a Kustomization's dependency. */
export const HELM_RELEASE: TypeRef = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' };
/** The name of the Kustomization controller in events, logs and managed fields. */
export const KUSTOMIZE_CONTROLLER = 'kustomize-controller';
/** The Kustomization API group: the prefix of labels, annotations and event metadata. */
export const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
/**
 * The reason of `Ready=False` (and `Stalled=True`) when a Kustomization uses a field Sluice does not support
 * yet (`serviceAccountName`, `decryption`, `kubeConfig`, `healthCheckExprs`, `dependsOn[].readyExpr`).
 */
export const UNSUPPORTED_FIELD_REASON = 'UnsupportedField';

const SOURCE_VERSIONS: Record<string, string> = {
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  OCIRepository: 'source.toolkit.fluxcd.io/v1',
  Bucket: 'source.toolkit.fluxcd.io/v1',
};

type KustomizationObject = Kustomization & KubeObject;
type Status = NonNullable<Kustomization['status']>;
type SourceObject = KubeObject & { status?: { artifact?: Artifact } };

/** What {@link KustomizationReconciler} needs. */
export interface KustomizationReconcilerDeps {
  kube: KubeClient;
  recorder: EventRecorder;
  /**
   * Publishes events to the in-process stream only (notifications), without writing Kubernetes Events: for the
   * "Reconciliation finished" event, which would otherwise add one Event object per Kustomization and interval
   * (it is written as a Kubernetes Event only when the Kustomization recovers from a failure). Default:
   * {@link KustomizationReconcilerDeps.recorder}.
   */
  streamRecorder?: EventRecorder;
  builder: ManifestBuilder;
  /** Watches shared by the health checks of every reconcile. Default: each health check opens its own. */
  watches?: WatchHub;
  /**
   * Reads an object from a local cache (the informers); `undefined` means "not cached", and the reconciler
   * asks the API server. Default: always the API server.
   */
  cached?: (type: TypeRef, namespace: string, name: string) => KubeObject | undefined;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
}

/** Options of {@link KustomizationReconciler}. */
export interface KustomizationReconcilerOptions {
  /** Retry delay while a dependency is not ready (`--requeue-dependency`). Default: 30 000 ms. */
  requeueDependencyMs?: number;
  /** Refuse sources in other namespaces (`--no-cross-namespace-refs`). Default: false. */
  noCrossNamespaceRefs?: boolean;
  /** Poll interval of health checks. Default: 1 000 ms (Flux polls every 5 s; reads are cheap LISTs). */
  healthCheckIntervalMs?: number;
  /** Requests in flight per apply, prune and health check. Default: 8. */
  applyConcurrency?: number;
  /**
   * How long a reconcile of a new revision or generation runs before its progress (`Reconciling=True` with
   * "Fetching manifests…" or "Running health checks…") is written to status; a reconcile that ends sooner
   * writes its status once. Default: 2 000 ms (0 writes it at once, as Flux does).
   */
  progressDelayMs?: number;
}

function fail(
  reason: string,
  message: string,
  options: { cause?: unknown; requeueAfterMs?: number; terminal?: boolean; quiet?: boolean } = {},
): StepError {
  return new StepError(ConditionType.Ready, reason, message, options);
}

function durationMs(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  try {
    return parseDuration(text);
  } catch {
    return fallback;
  }
}

function readyOf(obj: KubeObject | undefined) {
  return (
    obj?.status as { conditions?: { type: string; status: string; message?: string }[] } | undefined
  )?.conditions?.find((c) => c.type === ConditionType.Ready);
}

/**
 * Writes mid-run progress through a patcher when the reconcile is still running after a delay. A
 * delayed write patches a snapshot of the object, so that the reconcile keeps changing its status meanwhile
 * without those changes being taken as written.
 */
class StatusWriter {
  readonly #patcher: Patcher<KustomizationObject>;
  readonly #obj: KustomizationObject;
  readonly #clock: Clock;
  readonly #signal: AbortSignal;
  #timer: TimerHandle | undefined;
  #inFlight: Promise<unknown> | undefined;

  constructor(
    patcher: Patcher<KustomizationObject>,
    obj: KustomizationObject,
    clock: Clock,
    signal: AbortSignal,
  ) {
    this.#patcher = patcher;
    this.#obj = obj;
    this.#clock = clock;
    this.#signal = signal;
  }

  /** Writes the status as it is in `delayMs` (0: now), unless {@link settle} comes first. */
  patchLater(delayMs: number): void {
    this.#cancel();
    if (delayMs <= 0) this.#writeSnapshot();
    else
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = undefined;
        this.#writeSnapshot();
      }, delayMs);
  }

  /** Cancels a pending write and waits for one in flight. */
  async settle(): Promise<void> {
    this.#cancel();
    await this.#inFlight;
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #writeSnapshot(): void {
    const snapshot = structuredClone(this.#obj);
    const previous = this.#inFlight;
    this.#inFlight = (async () => {
      await previous;
      if (await this.#patcher.patch(snapshot, { signal: this.#signal })) {
        this.#obj.metadata.resourceVersion = snapshot.metadata.resourceVersion;
      }
    })().catch(() => {
      // A failed progress write changes nothing: the final status patch writes everything.
    });
  }
}

/**
 * Reconciles `kustomize.toolkit.fluxcd.io/v1` Kustomizations as Flux's kustomize-controller does: get →
 * deletion (prune per `deletionPolicy`, drop the finalizer) → patcher with one `finally` that summarises the
 * conditions, patches status and emits events → finalizer → suspend → unsupported fields → source artifact
 * (`ArtifactFailed`) → `dependsOn` (`DependencyNotReady`, requeue) → build (`BuildFailed`) → staged
 * server-side apply (`ReconciliationFailed`) → inventory and prune (`PruneFailed`) → health
 * (`HealthCheckFailed`) → `Ready=True` (`ReconciliationSucceeded`) and a requeue at `spec.interval`;
 * failures requeue at `spec.retryInterval`.
 */
export class KustomizationReconciler implements Reconciler {
  readonly #deps: KustomizationReconcilerDeps;
  readonly #clock: Clock;
  readonly #requeueDependencyMs: number;
  readonly #noCrossNamespaceRefs: boolean;
  readonly #healthIntervalMs: number;
  readonly #concurrency: number;
  readonly #progressDelayMs: number;

  constructor(deps: KustomizationReconcilerDeps, options: KustomizationReconcilerOptions = {}) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#requeueDependencyMs = options.requeueDependencyMs ?? 30_000;
    this.#noCrossNamespaceRefs = options.noCrossNamespaceRefs ?? false;
    this.#healthIntervalMs = options.healthCheckIntervalMs ?? 1_000;
    this.#concurrency = options.applyConcurrency ?? 8;
    this.#progressDelayMs = options.progressDelayMs ?? 2_000;
  }

  async reconcile(ctx: ReconcileContext, req: ReconcileRequest): Promise<ReconcileResult | undefined> {
    const { kube, recorder } = this.#deps;
    const obj = await kube.tryGet<KustomizationObject>({ ...KUSTOMIZATION, ...req }, { signal: ctx.signal });
    if (!obj) {
      this.#deps.builder.forget(req.namespace, req.name);
      return undefined;
    }
    if (isBeingDeleted(obj)) {
      await this.#finalize(ctx, obj);
      return undefined;
    }

    const started = this.#clock.now();
    const patcher = createPatcher(kube, obj);
    const writer = new StatusWriter(patcher, obj, this.#clock, ctx.signal);
    const spec = obj.spec;
    const intervalMs = durationMs(spec.interval, 600_000);
    const retryMs = durationMs(spec.retryInterval, intervalMs);
    let outcome: 'success' | 'retry' | 'stalled' = 'success';
    let failure: StepError | undefined;
    let changeLog = '';
    let revision: string | undefined;
    let digest: string | undefined;
    let suspended = false;
    const wasFailing = conditions.isFalse(obj, ConditionType.Ready);
    try {
      await addFinalizer(kube, obj, undefined, { signal: ctx.signal });
      handleReconcileRequest(obj);
      if (isSuspended(obj)) {
        ctx.log.info('reconciliation is suspended for this object');
        suspended = true;
        return undefined;
      }
      obj.status ??= {} as Status;
      const status = obj.status;
      const generation = obj.metadata.generation;
      const newGeneration = generation !== undefined && status.observedGeneration !== generation;
      if (newGeneration) {
        conditions.markReconciling(
          obj,
          ConditionReason.Progressing,
          `processing object: new generation ${status.observedGeneration ?? -1} -> ${generation}`,
        );
      }
      this.#checkSupported(obj);

      const artifact = await this.#source(ctx, obj, retryMs);
      revision = artifact.revision;
      await this.#checkDependencies(ctx, obj);

      const timeoutMs = kustomizationTimeoutMs(spec);
      const newRevision = status.lastAppliedRevision !== revision;
      status.lastAttemptedRevision = revision;
      if (newRevision || newGeneration) {
        conditions.markReconciling(
          obj,
          ConditionReason.Progressing,
          `Fetching manifests for revision ${revision} with a timeout of ${formatDuration(timeoutMs)}`,
        );
        // One progress write per reconcile, and only when it is slow: with health checks, the one that
        // announces them.
        if (!spec.wait && !spec.healthChecks?.length) writer.patchLater(this.#progressDelayMs);
      }

      const objects = await this.#deps.builder.objects(obj, artifact, ctx.signal);
      digest = this.#deps.builder.digestOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
      const manager = new ResourceManager(
        {
          kube,
          clock: this.#clock,
          ...(this.#deps.logger ? { logger: this.#deps.logger } : {}),
          ...(this.#deps.watches ? { watches: this.#deps.watches } : {}),
        },
        {
          fieldManager: KustomizeMeta.FieldManager,
          owner: { field: KustomizeMeta.FieldManager, group: KUSTOMIZE_GROUP },
          ownedBy: { name: obj.metadata.name ?? '', namespace: obj.metadata.namespace ?? '' },
          concurrency: this.#concurrency,
        },
      );
      const oldInventory: Inventory | undefined = status.inventory
        ? { entries: [...(status.inventory.entries ?? [])] }
        : undefined;

      // Apply.
      let changeSet: ChangeSet;
      try {
        changeSet = await manager.applyAllStaged(objects, {
          force: spec.force === true,
          inventory: oldInventory ?? { entries: [] },
          waitTimeoutMs: timeoutMs,
          waitIntervalMs: this.#healthIntervalMs,
          signal: ctx.signal,
        });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        // Keep track of what was created before the failure so that it can be pruned later.
        const partial = err instanceof ApplyError ? err.changeSet : undefined;
        if (partial?.entries.length) {
          const merged: Inventory = { entries: [...(oldInventory?.entries ?? [])] };
          const seen = new Set(merged.entries.map((e) => e.id));
          for (const e of inventoryFromChangeSet(partial).entries)
            if (!seen.has(e.id)) merged.entries.push(e);
          status.inventory = merged;
        }
        throw fail(ConditionReason.ReconciliationFailed, (err as Error).message, { cause: err });
      }
      const logLines: string[] = [];
      const applied = changeSet.changeLog();
      if (applied) logLines.push(applied);

      // Inventory and prune.
      const newInventory = inventoryFromChangeSet(changeSet);
      status.inventory = newInventory;
      if (spec.prune) {
        const stale = inventoryDiff(oldInventory, newInventory);
        if (stale.length > 0) {
          try {
            const pruned = await manager.deleteAll(stale, { signal: ctx.signal });
            const log = pruned.changeLog();
            if (log) logLines.push(log);
          } catch (err) {
            if (ctx.signal.aborted) throw err;
            status.inventory = mergeInventory(newInventory, stale);
            const partial = err instanceof ApplyError ? err.changeSet?.changeLog() : undefined;
            if (partial) logLines.push(partial);
            changeLog = logLines.join('\n');
            throw fail(ConditionReason.PruneFailed, (err as Error).message, { cause: err });
          }
        }
      }
      changeLog = logLines.join('\n');
      if (changeLog) {
        ctx.log.info({ revision, changes: changeLog.split('\n') }, 'server-side apply completed');
        await recorder.normal(obj, this.#eventReason(obj), changeLog, this.#meta(revision));
        changeLog = '';
      }

      // Health.
      await this.#checkHealth(ctx, obj, manager, changeSet, {
        revision,
        timeoutMs,
        force: newRevision || changeSet.hasChanges(),
        progress: () => writer.patchLater(this.#progressDelayMs),
      });

      status.lastAppliedRevision = revision;
      status.observedGeneration = generation ?? -1;
      conditions.markTrue(
        obj,
        ConditionType.Ready,
        ConditionReason.ReconciliationSucceeded,
        `Applied revision: ${revision}`,
      );
      return { requeueAfterMs: intervalMs };
    } catch (err) {
      if (ctx.signal.aborted) {
        outcome = 'retry';
        throw err;
      }
      failure =
        err instanceof StepError
          ? err
          : fail(ConditionReason.ReconciliationFailed, (err as Error).message, { cause: err });
      conditions.markFalse(obj, ConditionType.Ready, failure.reason, failure.message);
      if (failure.terminal) {
        outcome = 'stalled';
        conditions.markStalled(obj, failure.reason, failure.message);
        throw new TerminalError(`Kustomization/${req.namespace}/${req.name} is stalled: ${failure.message}`, {
          cause: err,
        });
      }
      outcome = 'retry';
      if (failure.requeueAfterMs !== undefined) return { requeueAfterMs: failure.requeueAfterMs };
      return { requeueAfterMs: retryMs };
    } finally {
      // A suspended object keeps its conditions as they were.
      if (!suspended) conditions.summarize(obj, { result: outcome });
      if (digest && obj.status && !ctx.signal.aborted) {
        // Each reconciliation of built objects, as Flux records it: by digest and outcome, newest first.
        obj.status.history = recordHistory(obj.status.history, {
          digest,
          at: new Date(this.#clock.now()),
          durationMs: this.#clock.now() - started,
          status: (readyOf(obj) as { reason?: string } | undefined)?.reason ?? 'Unknown',
          ...(revision ? { metadata: { revision } } : {}),
        });
      }
      await writer.settle();
      if (!ctx.signal.aborted || outcome === 'success') {
        await patcher.patch(obj).catch((err: unknown) => {
          ctx.log.error({ err: (err as Error).message }, 'status patch failed');
        });
      }
      if (changeLog) await recorder.normal(obj, this.#eventReason(obj), changeLog, this.#meta(revision));
      if (failure) {
        ctx.log.info({ reason: failure.reason, revision }, failure.message);
        if (failure.quiet) {
          // Logged above; the status says it.
        } else if (failure.reason === ConditionReason.DependencyNotReady) {
          await recorder.normal(obj, failure.reason, failure.message, this.#meta(revision));
        } else {
          await recorder.warning(obj, failure.reason, failure.message, this.#meta(revision));
        }
      } else if (outcome === 'success' && !suspended && conditions.isTrue(obj, ConditionType.Ready)) {
        const message =
          `Reconciliation finished in ${formatDuration(this.#clock.now() - started)}, ` +
          `next run in ${formatDuration(durationMs(spec.interval, 600_000))}`;
        ctx.log.info({ revision }, message);
        // A Kubernetes Event only on recovery (the change set has its own); the stream (notifications) hears
        // every one, as Flux's notification-controller does.
        const to = wasFailing ? recorder : (this.#deps.streamRecorder ?? recorder);
        await to.normal(obj, ConditionReason.ReconciliationSucceeded, message, {
          ...this.#meta(revision),
          [`${KUSTOMIZE_GROUP}/commit_status`]: 'update',
        });
      }
    }
  }

  #meta(revision: string | undefined): Record<string, string> {
    return revision ? { [`${KUSTOMIZE_GROUP}/revision`]: revision } : {};
  }

  /** Flux names an event after the Ready condition's reason at the time. */
  #eventReason(obj: KubeObject): string {
    return (readyOf(obj) as { reason?: string } | undefined)?.reason || ConditionReason.Progressing;
  }

  /** Fields that come in later versions: refuse them plainly instead of ignoring them. */
  #checkSupported(obj: KustomizationObject): void {
    const spec = obj.spec;
    const unsupported: string[] = [];
    if (spec.serviceAccountName) unsupported.push('spec.serviceAccountName');
    if (spec.decryption) unsupported.push('spec.decryption');
    if (spec.kubeConfig) unsupported.push('spec.kubeConfig');
    if (spec.healthCheckExprs?.length) unsupported.push('spec.healthCheckExprs');
    if (spec.dependsOn?.some((d) => d.readyExpr)) unsupported.push('spec.dependsOn[].readyExpr');
    if (spec.sourceRef.kind === 'ExternalArtifact') unsupported.push('spec.sourceRef.kind ExternalArtifact');
    if (unsupported.length === 0) return;
    throw fail(
      UNSUPPORTED_FIELD_REASON,
      `${unsupported.join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} not supported yet: remove ${
        unsupported.length === 1 ? 'it' : 'them'
      } from the Kustomization`,
      { terminal: true },
    );
  }

  async #get(ctx: ReconcileContext, type: TypeRef, namespace: string, name: string) {
    const cached = this.#deps.cached?.(type, namespace, name);
    if (cached) return cached;
    return this.#deps.kube.tryGet({ ...type, namespace, name }, { signal: ctx.signal });
  }

  /** The source's artifact; throws `ArtifactFailed` (requeue at the retry interval) or `AccessDenied`. */
  async #source(ctx: ReconcileContext, obj: KustomizationObject, retryMs: number): Promise<Artifact> {
    const ref = obj.spec.sourceRef;
    const namespace = ref.namespace || obj.metadata.namespace || '';
    const subject = `${ref.kind}/${namespace}/${ref.name}`;
    if (this.#noCrossNamespaceRefs && namespace !== obj.metadata.namespace) {
      throw fail(
        ConditionReason.AccessDenied,
        `cannot access ${subject}: cross-namespace references have been blocked`,
        { terminal: true },
      );
    }
    const apiVersion = SOURCE_VERSIONS[ref.kind];
    if (!apiVersion) {
      throw fail(ConditionReason.ArtifactFailed, `Source kind ${ref.kind} is not supported`, {
        terminal: true,
      });
    }
    let source: SourceObject | undefined;
    try {
      source = (await this.#get(ctx, { apiVersion, kind: ref.kind }, namespace, ref.name)) as SourceObject;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      throw fail(
        ConditionReason.ArtifactFailed,
        `Source '${subject}' cannot be read: ${(err as Error).message}`,
        {
          cause: err,
          requeueAfterMs: retryMs,
        },
      );
    }
    if (!source) {
      // As in Flux: a missing source or one without an artifact yet is logged and shown on the status, and
      // the source's own events tell why; the Kustomization emits no event for it.
      throw fail(ConditionReason.ArtifactFailed, `Source '${subject}' not found`, {
        requeueAfterMs: retryMs,
        quiet: true,
      });
    }
    const artifact = source.status?.artifact;
    if (!artifact?.url) {
      throw fail(ConditionReason.ArtifactFailed, `Source '${subject}' is not ready, artifact not found`, {
        requeueAfterMs: retryMs,
        quiet: true,
      });
    }
    return artifact;
  }

  /**
   * Each dependency must exist, be Ready at its current generation and, for a Kustomization, have applied
   * its source's latest revision. Throws `DependencyNotReady` with a requeue after `--requeue-dependency`.
   */
  async #checkDependencies(ctx: ReconcileContext, obj: KustomizationObject): Promise<void> {
    const deps = obj.spec.dependsOn ?? [];
    if (deps.length === 0) return;
    const notReady = (message: string) =>
      fail(
        ConditionReason.DependencyNotReady,
        `Dependencies do not meet ready condition (${message}), retrying in ${formatDuration(this.#requeueDependencyMs)}`,
        { requeueAfterMs: this.#requeueDependencyMs },
      );
    for (const dep of deps) {
      const kind = (dep as { kind?: string }).kind ?? 'Kustomization';
      const namespace = dep.namespace || obj.metadata.namespace || '';
      const name = `${namespace}/${dep.name}`;
      const type = kind === 'HelmRelease' ? HELM_RELEASE : KUSTOMIZATION;
      let found: KubeObject | undefined;
      try {
        found = await this.#get(ctx, type, namespace, dep.name);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        throw notReady(`unable to get '${name}' dependency: ${(err as Error).message}`);
      }
      if (!found) throw notReady(`unable to get '${name}' dependency: ${kind}/${name} not found`);
      const status = (found.status ?? {}) as {
        observedGeneration?: number;
        lastAppliedRevision?: string;
      };
      if (
        found.metadata.generation !== undefined &&
        status.observedGeneration !== found.metadata.generation
      ) {
        throw notReady(`dependency '${name}' is not ready`);
      }
      if (readyOf(found)?.status !== 'True') throw notReady(`dependency '${name}' is not ready`);
      if (kind === 'Kustomization') {
        const srcRef = (found as KustomizationObject).spec?.sourceRef;
        const apiVersion = srcRef ? SOURCE_VERSIONS[srcRef.kind] : undefined;
        if (srcRef && apiVersion) {
          const src = (await this.#get(
            ctx,
            { apiVersion, kind: srcRef.kind },
            srcRef.namespace || namespace,
            srcRef.name,
          ).catch(() => undefined)) as SourceObject | undefined;
          const latest = src?.status?.artifact?.revision;
          if (latest && status.lastAppliedRevision !== latest) {
            throw notReady(`dependency '${name}' revision is not up to date`);
          }
        }
      }
    }
    ctx.log.debug('all dependencies are ready, proceeding with reconciliation');
  }

  async #checkHealth(
    ctx: ReconcileContext,
    obj: KustomizationObject,
    manager: ResourceManager,
    changeSet: ChangeSet,
    opts: { revision: string; timeoutMs: number; force: boolean; progress: () => void },
  ): Promise<void> {
    const spec = obj.spec;
    const self = obj.metadata;
    let refs: ObjectRef[];
    if (spec.wait) {
      refs = changeSet.toRefs();
    } else {
      refs = (spec.healthChecks ?? []).map((h) => ({
        apiVersion: h.apiVersion || (h.kind === 'HelmRelease' ? HELM_RELEASE.apiVersion : 'v1'),
        kind: h.kind,
        name: h.name,
        namespace: h.namespace || self.namespace || '',
      }));
    }
    // Never wait on itself.
    refs = refs.filter(
      (r) => !(r.kind === 'Kustomization' && r.name === self.name && r.namespace === self.namespace),
    );
    if (refs.length === 0) {
      conditions.remove(obj, ConditionType.Healthy);
      return;
    }
    const wasHealthy = conditions.isTrue(obj, ConditionType.Healthy);
    const wasUnhealthy = conditions.isFalse(obj, ConditionType.Healthy);
    if (!wasHealthy || opts.force) {
      const message = `Running health checks for revision ${opts.revision} with a timeout of ${formatDuration(opts.timeoutMs)}`;
      conditions.markReconciling(obj, ConditionReason.Progressing, message);
      conditions.markUnknown(obj, ConditionType.Healthy, ConditionReason.Progressing, message);
      opts.progress();
    }
    const start = this.#clock.now();
    try {
      await manager.waitForSet(refs, {
        // The apply just read or wrote every object it applied: start from those states.
        fromApplied: true,
        timeoutMs: opts.timeoutMs,
        intervalMs: this.#healthIntervalMs,
        failFast: true,
        signal: ctx.signal,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const detail = err instanceof HealthCheckError ? err.message : (err as Error).message;
      const message = `health check failed after ${formatDuration(this.#clock.now() - start)}: ${detail}`;
      conditions.markFalse(obj, ConditionType.Healthy, ConditionReason.HealthCheckFailed, message);
      throw fail(ConditionReason.HealthCheckFailed, message, { cause: err });
    }
    const message = `Health check passed in ${formatDuration(this.#clock.now() - start)}`;
    if (!wasHealthy) {
      // Notifications hear every first pass; a Kubernetes Event is written only on recovery, as for
      // "Reconciliation finished": a first apply already has its change-set Event.
      const to = wasUnhealthy ? this.#deps.recorder : (this.#deps.streamRecorder ?? this.#deps.recorder);
      await to.normal(obj, this.#eventReason(obj), message, this.#meta(opts.revision));
    }
    conditions.markTrue(obj, ConditionType.Healthy, ConditionReason.Succeeded, message);
  }

  /** Deletion: prune the inventory per `deletionPolicy`, then drop the finalizer. */
  async #finalize(ctx: ReconcileContext, obj: KustomizationObject): Promise<void> {
    if (!hasFinalizer(obj)) return;
    const spec = obj.spec;
    const policy = spec.deletionPolicy ?? 'MirrorPrune';
    const prune =
      policy === 'Delete' ||
      policy === 'WaitForTermination' ||
      (policy === 'MirrorPrune' && spec.prune === true);
    const inventory = obj.status?.inventory;
    if (prune && !spec.suspend && inventory?.entries?.length) {
      const manager = new ResourceManager(
        {
          kube: this.#deps.kube,
          clock: this.#clock,
          ...(this.#deps.logger ? { logger: this.#deps.logger } : {}),
        },
        {
          fieldManager: KustomizeMeta.FieldManager,
          owner: { field: KustomizeMeta.FieldManager, group: KUSTOMIZE_GROUP },
          ownedBy: { name: obj.metadata.name ?? '', namespace: obj.metadata.namespace ?? '' },
          concurrency: this.#concurrency,
        },
      );
      const objects = inventoryObjects({ entries: inventory.entries });
      let changeSet: ChangeSet;
      try {
        changeSet = await manager.deleteAll(objects, { signal: ctx.signal });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        await this.#deps.recorder.warning(obj, ConditionReason.PruneFailed, (err as Error).message);
        throw new SluiceError(
          'PruneFailed',
          `Kustomization/${obj.metadata.namespace}/${obj.metadata.name} prune on deletion failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const log = changeSet.changeLog();
      if (log) await this.#deps.recorder.normal(obj, this.#eventReason(obj), log);
      if (policy === 'WaitForTermination') {
        const deleted = changeSet.entries.filter((e) => e.action === 'deleted');
        const refs = objects
          .filter((o) =>
            deleted.some((e) => e.objMetadata.name === o.metadata.name && e.objMetadata.kind === o.kind),
          )
          .map((o) => ({
            apiVersion: o.apiVersion,
            kind: o.kind,
            name: o.metadata.name ?? '',
            ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
          }));
        await manager.waitForTermination(refs, {
          timeoutMs: kustomizationTimeoutMs(spec),
          intervalMs: this.#healthIntervalMs,
          signal: ctx.signal,
        });
      }
    }
    await removeFinalizer(this.#deps.kube, obj, undefined, { signal: ctx.signal });
    this.#deps.builder.forget(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    ctx.log.info({ policy, pruned: prune }, 'finalizer removed');
  }
}
