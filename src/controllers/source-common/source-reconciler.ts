import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Artifact,
  ConditionReason,
  ConditionType,
  parseDuration,
  SluiceError,
  TerminalError,
} from '../../api/index.js';
import type { EventRecorder, KubeClient, KubeObject, TypeRef } from '../../kube/index.js';
import {
  addFinalizer,
  conditions,
  createPatcher,
  handleReconcileRequest,
  hasFinalizer,
  isBeingDeleted,
  isSuspended,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  removeFinalizer,
} from '../../runtime/index.js';
import { type ArtifactStore, SourceError, SourceErrorCode } from '../../source/index.js';
import { SecretRefError } from './secrets.js';

/** Annotation key prefix of event metadata for source kinds. */
export const SOURCE_GROUP = 'source.toolkit.fluxcd.io';

/** The object shape every source kind shares. */
export interface SourceObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObject['metadata'];
  spec: { interval?: string; suspend?: boolean; timeout?: string };
  status?: { artifact?: Artifact; observedGeneration?: number };
}

type Loose = KubeObject & {
  status?: Record<string, unknown> & { artifact?: Artifact; observedGeneration?: number };
};

/**
 * A failure of one reconcile step, with the condition it sets (True for the negative-polarity conditions
 * `FetchFailed`, `StorageOperationFailed`, `IncludeUnavailable`, `BuildFailed`) and Flux's reason.
 */
export class StepError extends SluiceError {
  /** The condition the failure sets to True. */
  readonly condition: string;
  /** Flux's reason, e.g. `GitOperationFailed`. */
  readonly reason: string;
  /** Retry after this long instead of backing off (a dependency not ready yet). */
  readonly requeueAfterMs: number | undefined;
  /** Retrying cannot help until the spec changes. */
  readonly terminal: boolean;
  /** A wait rather than a fault (a source without an artifact yet): logged and on the status, but no event. */
  readonly quiet: boolean;

  constructor(
    condition: string,
    reason: string,
    message: string,
    options: { cause?: unknown; requeueAfterMs?: number; terminal?: boolean; quiet?: boolean } = {},
  ) {
    super('ReconcileStepFailed', message, options.cause === undefined ? {} : { cause: options.cause });
    this.condition = condition;
    this.reason = reason;
    this.requeueAfterMs = options.requeueAfterMs;
    this.terminal = options.terminal ?? false;
    this.quiet = options.quiet ?? false;
  }
}

/**
 * Wraps an error from a fetch into a {@link StepError} on `FetchFailed`: authentication problems (a source
 * error with code `AuthenticationFailed`, or an unreadable secret) keep the reason `AuthenticationFailed`,
 * git failures `GitOperationFailed`, anything else takes `reason`.
 */
export function fetchFailure(err: unknown, reason: string, prefix: string): StepError {
  if (err instanceof StepError) return err;
  const message = `${prefix}: ${(err as Error).message}`;
  let r = reason;
  if (err instanceof SecretRefError) r = ConditionReason.AuthenticationFailed;
  else if (err instanceof SourceError) {
    if (err.code === SourceErrorCode.AuthenticationFailed) r = ConditionReason.AuthenticationFailed;
    else if (err.code === SourceErrorCode.GitOperationFailed) r = ConditionReason.GitOperationFailed;
    else if (err.code === SourceErrorCode.StorageOperationFailed) {
      return new StepError(
        ConditionType.StorageOperationFailed,
        ConditionReason.ArchiveOperationFailed,
        message,
        { cause: err },
      );
    }
  }
  return new StepError(ConditionType.FetchFailed, r, message, { cause: err });
}

/** What a driver's fetch found upstream. */
export interface FetchedSource {
  /** Flux's revision of what was fetched. */
  revision: string;
  /**
   * True when the stored artifact already reflects this fetch (same revision and same inputs); the default
   * compares `status.artifact.revision` with {@link FetchedSource.revision}.
   */
  upToDate?: boolean;
  /** Writes the artifact into the store; called only when it is missing or outdated. */
  store(): Promise<Artifact>;
  /** The `NewArtifact`-style event after storing: reason and message. */
  event: { reason: string; message: string };
  /** Status fields written with a new artifact (`observedIgnore`, `includedArtifacts`, `url`, …). */
  status?: (artifact: Artifact) => Record<string, unknown>;
}

/** Tools a driver may use while fetching. */
export interface FetchContext extends ReconcileContext {
  /** A fresh temporary directory, removed after the reconcile. */
  workDir: string;
}

/** The part of a source reconciler that differs by kind. */
export interface SourceDriver<T extends SourceObject> {
  /** The kind reconciled. */
  type: TypeRef;
  /**
   * Fetches upstream into `ctx.workDir` (or decides there is nothing to store) and returns what was found.
   * Throws a {@link StepError} (see {@link fetchFailure}) naming the condition and reason to report.
   * Returning `undefined` means the kind keeps no artifact (e.g. an OCI HelmRepository): the object is
   * Ready with `readyMessage`.
   */
  fetch(ctx: FetchContext, obj: T): Promise<FetchedSource | { readyMessage: string }>;
}

/** Dependencies of {@link SourceReconciler}. */
export interface SourceReconcilerDeps {
  kube: KubeClient;
  recorder: EventRecorder;
  storage: ArtifactStore;
  /** Parent of the per-reconcile temporary directories. */
  tmpDir: string;
}

/** Options of {@link SourceReconciler}. */
export interface SourceReconcilerOptions {
  /** Requeue while a dependency (a source, an include) has no artifact yet. Default: 30 000 ms. */
  requeueDependencyMs?: number;
}

const NEGATIVE = [
  ConditionType.FetchFailed,
  ConditionType.StorageOperationFailed,
  ConditionType.IncludeUnavailable,
  ConditionType.BuildFailed,
  ConditionType.ArtifactOutdated,
] as const;

function ownerOf(obj: KubeObject) {
  return { kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

/**
 * The reconcile shape every Flux source shares, with the kind-specific fetch supplied by a
 * {@link SourceDriver}: get (ignore not-found) → deletion (remove the artifacts, drop the finalizer) →
 * patcher → one `finally` that summarises the conditions, patches status and emits the failure event →
 * finalizer → suspend → storage check (`ArtifactInStorage`) → fetch (`FetchFailed`) → artifact
 * (`ArtifactOutdated`, store, garbage collection, `NewArtifact` event) → requeue at `spec.interval`.
 */
export class SourceReconciler<T extends SourceObject> implements Reconciler {
  readonly #deps: SourceReconcilerDeps;
  readonly #driver: SourceDriver<T>;
  readonly #requeueDependencyMs: number;

  constructor(deps: SourceReconcilerDeps, driver: SourceDriver<T>, options: SourceReconcilerOptions = {}) {
    this.#deps = deps;
    this.#driver = driver;
    this.#requeueDependencyMs = options.requeueDependencyMs ?? 30_000;
  }

  /** How long to wait for a dependency before looking again. */
  get requeueDependencyMs(): number {
    return this.#requeueDependencyMs;
  }

  async reconcile(ctx: ReconcileContext, req: ReconcileRequest): Promise<ReconcileResult | undefined> {
    const { kube, storage, recorder } = this.#deps;
    const type = this.#driver.type;
    const typed = await kube.tryGet<T & KubeObject>({ ...type, ...req }, { signal: ctx.signal });
    if (!typed) return undefined;
    const obj = typed as unknown as Loose;
    const id = `${type.kind}/${req.namespace}/${req.name}`;

    if (isBeingDeleted(obj)) {
      if (hasFinalizer(obj)) {
        await storage.removeAll(ownerOf(obj));
        await removeFinalizer(kube, obj, undefined, { signal: ctx.signal });
        ctx.log.info('artifacts removed, finalizer dropped');
      }
      return undefined;
    }

    const patcher = createPatcher(kube, obj);
    let outcome: 'success' | 'retry' | 'stalled' = 'success';
    let failure: StepError | undefined;
    let suspended = false;
    const workDir = await mkdtemp(join(this.#deps.tmpDir, `${type.kind.toLowerCase()}-`));
    try {
      await addFinalizer(kube, obj, undefined, { signal: ctx.signal });
      handleReconcileRequest(obj);
      if (isSuspended(obj)) {
        ctx.log.info('reconciliation is suspended for this object');
        suspended = true;
        return undefined;
      }
      obj.status ??= {};
      const status = obj.status;
      const generation = obj.metadata.generation;
      if (generation !== undefined && status.observedGeneration !== generation) {
        conditions.markReconciling(
          obj,
          ConditionReason.Progressing,
          `processing object: new generation ${status.observedGeneration ?? 0} -> ${generation}`,
        );
      }

      // The artifact the status advertises must exist; otherwise build it again.
      if (status.artifact) {
        if (await storage.exists(status.artifact)) {
          conditions.markTrue(
            obj,
            ConditionType.ArtifactInStorage,
            ConditionReason.Succeeded,
            `stored artifact for revision '${status.artifact.revision}'`,
          );
        } else {
          delete status.artifact;
          conditions.remove(obj, ConditionType.ArtifactInStorage);
          conditions.markReconciling(
            obj,
            ConditionReason.Progressing,
            'building artifact: disappeared from storage',
          );
        }
      }

      let fetched: FetchedSource | { readyMessage: string };
      try {
        fetched = await this.#driver.fetch({ ...ctx, workDir }, typed);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        throw err instanceof StepError ? err : fetchFailure(err, ConditionReason.Failed, 'failed to fetch');
      }
      conditions.remove(obj, ConditionType.FetchFailed);
      conditions.remove(obj, ConditionType.IncludeUnavailable);
      conditions.remove(obj, ConditionType.BuildFailed);

      if ('readyMessage' in fetched) {
        conditions.remove(obj, ConditionType.ArtifactInStorage);
        conditions.remove(obj, ConditionType.ArtifactOutdated);
        if (status.artifact) await storage.removeAll(ownerOf(obj));
        delete status.artifact;
        status.observedGeneration = generation;
        conditions.markTrue(obj, ConditionType.Ready, ConditionReason.Succeeded, fetched.readyMessage);
        return { requeueAfterMs: intervalMs(typed) };
      }

      const current = status.artifact;
      const upToDate = fetched.upToDate ?? current?.revision === fetched.revision;
      if (!current || !upToDate) {
        const message = `new upstream revision '${fetched.revision}'`;
        if (current)
          conditions.markTrue(obj, ConditionType.ArtifactOutdated, ConditionReason.NewRevision, message);
        conditions.markReconciling(obj, ConditionReason.Progressing, `building artifact: ${message}`);
        let artifact: Artifact;
        try {
          artifact = await fetched.store();
        } catch (err) {
          if (err instanceof StepError) throw err;
          throw new StepError(
            ConditionType.StorageOperationFailed,
            ConditionReason.ArchiveOperationFailed,
            `failed to store artifact: ${(err as Error).message}`,
            { cause: err },
          );
        }
        status.artifact = artifact;
        Object.assign(status, fetched.status?.(artifact) ?? {});
        conditions.remove(obj, ConditionType.ArtifactOutdated);
        conditions.remove(obj, ConditionType.StorageOperationFailed);
        conditions.markTrue(
          obj,
          ConditionType.ArtifactInStorage,
          ConditionReason.Succeeded,
          `stored artifact for revision '${artifact.revision}'`,
        );
        await storage.garbageCollect(ownerOf(obj), artifact.path).catch((err: unknown) => {
          ctx.log.warn({ err: (err as Error).message }, 'garbage collection of old artifacts failed');
        });
        await recorder.normal(obj, fetched.event.reason, fetched.event.message, {
          [`${SOURCE_GROUP}/revision`]: artifact.revision,
          [`${SOURCE_GROUP}/digest`]: artifact.digest,
        });
      } else {
        ctx.log.debug({ revision: fetched.revision }, 'artifact up-to-date with remote revision');
      }
      const artifact = status.artifact as Artifact;
      status.observedGeneration = generation;
      conditions.remove(obj, ConditionType.StorageOperationFailed);
      conditions.markTrue(
        obj,
        ConditionType.Ready,
        ConditionReason.Succeeded,
        `stored artifact for revision '${artifact.revision}'`,
      );
      return { requeueAfterMs: intervalMs(typed) };
    } catch (err) {
      if (ctx.signal.aborted) {
        outcome = 'retry';
        throw err;
      }
      failure =
        err instanceof StepError
          ? err
          : new StepError(ConditionType.FetchFailed, ConditionReason.Failed, (err as Error).message, {
              cause: err,
            });
      conditions.markTrue(obj, failure.condition, failure.reason, failure.message);
      if (failure.terminal) {
        outcome = 'stalled';
        conditions.markStalled(obj, failure.reason, failure.message);
        throw new TerminalError(`${id} is stalled: ${failure.message}`, { cause: err });
      }
      outcome = 'retry';
      conditions.markTrue(
        obj,
        ConditionType.Reconciling,
        ConditionReason.ProgressingWithRetry,
        failure.message,
      );
      if (failure.requeueAfterMs !== undefined) return { requeueAfterMs: failure.requeueAfterMs };
      throw new SluiceError('ReconcileFailed', `${id} reconcile failed: ${failure.message}`, { cause: err });
    } finally {
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
      if (outcome === 'success' && conditions.isTrue(obj, ConditionType.Reconciling)) {
        conditions.remove(obj, ConditionType.Reconciling);
      }
      // A suspended object keeps its conditions as they were.
      if (!suspended) conditions.summarize(obj, { result: outcome, negativePolarity: NEGATIVE });
      if (!ctx.signal.aborted || outcome === 'success') {
        await patcher.patch(obj).catch((err: unknown) => {
          ctx.log.error({ err: (err as Error).message }, 'status patch failed');
        });
      }
      if (failure) await recorder.warning(obj, failure.reason, failure.message);
    }
  }
}

/** `spec.interval` in milliseconds (Flux's default of 1m when unparsable). */
export function intervalMs(obj: SourceObject): number {
  try {
    return parseDuration(obj.spec.interval ?? '1m');
  } catch {
    return 60_000;
  }
}

/** `spec.timeout` in milliseconds, else `fallback`. */
export function timeoutMs(obj: SourceObject, fallback = 60_000): number {
  if (!obj.spec.timeout) return fallback;
  try {
    return parseDuration(obj.spec.timeout);
  } catch {
    return fallback;
  }
}
