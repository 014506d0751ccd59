import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import {
  ConditionReason,
  ConditionType,
  FluxMeta,
  type HelmRelease,
  HelmReleaseKind,
  type HelmReleaseStatus,
  helmReleaseName,
  KustomizationKind,
  parseDuration,
  SluiceError,
  TerminalError,
} from '../../api/index.js';
import type { ResourceManager } from '../../apply/index.js';
import {
  decodeReleaseSecret,
  type HelmDriver,
  HelmError,
  type HelmReleaseRecord,
  listStoredRevisions,
  releaseDigest,
  type StoredRevision,
  unlockRelease,
  valuesDigest,
} from '../../helm/index.js';
import type { EventRecorder, KubeClient, KubeObject } from '../../kube/index.js';
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
import { ChartNotReadyError, helmChartFor, type ResolvedChart, resolveChart } from './chart.js';
import { applyChartCrds } from './crds.js';
import { composeValues, ValuesError } from './values.js';

/** The event metadata group of HelmReleases. */
export const HELM_GROUP = 'helm.toolkit.fluxcd.io';
/** The HelmRelease type reference. */
export const HELM_RELEASE = { apiVersion: HelmReleaseKind.apiVersion, kind: 'HelmRelease' } as const;

type Snapshot = NonNullable<HelmReleaseStatus['history']>[number];
type HR = HelmRelease & KubeObject & { status?: HelmReleaseStatus & Record<string, unknown> };

/** Dependencies of {@link HelmReleaseReconciler}. */
export interface HelmReleaseReconcilerDeps {
  kube: KubeClient;
  recorder: EventRecorder;
  helm: HelmDriver;
  /** Dry-run diffs and corrections for drift detection (field manager `helm`). */
  resources: ResourceManager;
  /** Where chart artifacts are cached by digest. */
  chartCacheDir: string;
}

/** Options of {@link HelmReleaseReconciler}. */
export interface HelmReleaseReconcilerOptions {
  /** Requeue while a dependency or the chart is not ready (`--requeue-dependency`). Default: 30 000 ms. */
  requeueDependencyMs?: number;
}

const MAX_NAME = 53;

/** The release name Flux uses: {@link helmReleaseName}, shortened to 53 characters with a hash suffix. */
export function releaseNameOf(hr: Pick<HelmRelease, 'metadata' | 'spec'>): string {
  const name = helmReleaseName(hr);
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

function durationMs(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  try {
    return parseDuration(value);
  } catch {
    return fallback;
  }
}

function digestOf(value: unknown): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex')}`;
}

/** A failure that sets a condition and Ready with Flux's reason. */
class StepFailure extends SluiceError {
  constructor(
    readonly reason: string,
    message: string,
    readonly options: {
      requeueAfterMs?: number;
      stalled?: boolean;
      stalledReason?: string;
      /** The event was already recorded. */
      reported?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super('ReconcileStepFailed', message, options.cause === undefined ? {} : { cause: options.cause });
  }
}

function chartLabel(rel: HelmReleaseRecord | undefined, fallback: string): string {
  const m = rel?.chart?.metadata;
  return m?.name ? `${m.name}@${m.version}` : fallback;
}

function snapshotOf(rel: HelmReleaseRecord, configDigest: string, now: string): Snapshot {
  const m = rel.chart?.metadata ?? {};
  const snap: Snapshot = {
    name: rel.name,
    namespace: rel.namespace,
    version: rel.version,
    status: rel.info.status,
    chartName: m.name ?? '',
    chartVersion: m.version ?? '',
    configDigest,
    digest: releaseDigest(rel),
    firstDeployed: rel.info.first_deployed ?? now,
    lastDeployed: rel.info.last_deployed ?? now,
  };
  if (m.appVersion) snap.appVersion = m.appVersion;
  if (rel.info.deleted) snap.deleted = rel.info.deleted;
  return snap;
}

/**
 * Reconciles HelmReleases with Flux helm-controller's semantics on the real helm binary: resolves the chart
 * (creating the HelmChart `<ns>-<name>` for `chart.spec`), composes the values, then installs, upgrades,
 * tests and remediates (uninstall or rollback, with retries), keeping `status.history` snapshots and failure
 * counters, and detects and corrects drift of the release objects. Release state is read from helm's
 * storage Secrets, so a reconcile with nothing to do starts no helm process.
 */
export class HelmReleaseReconciler implements Reconciler {
  readonly #deps: HelmReleaseReconcilerDeps;
  readonly #requeueDependencyMs: number;

  constructor(deps: HelmReleaseReconcilerDeps, options: HelmReleaseReconcilerOptions = {}) {
    this.#deps = deps;
    this.#requeueDependencyMs = options.requeueDependencyMs ?? 30_000;
  }

  async reconcile(ctx: ReconcileContext, req: ReconcileRequest): Promise<ReconcileResult | undefined> {
    const { kube, recorder } = this.#deps;
    const obj = await kube.tryGet<HR>({ ...HELM_RELEASE, ...req }, { signal: ctx.signal });
    if (!obj) return undefined;
    const id = `HelmRelease/${req.namespace}/${req.name}`;

    if (isBeingDeleted(obj)) {
      if (hasFinalizer(obj)) {
        await this.#finalize(ctx, obj);
        await removeFinalizer(kube, obj, undefined, { signal: ctx.signal });
      }
      return undefined;
    }

    const patcher = createPatcher(kube, obj);
    let outcome: 'success' | 'retry' | 'stalled' = 'success';
    let failure: StepFailure | undefined;
    let suspended = false;
    try {
      await addFinalizer(kube, obj, undefined, { signal: ctx.signal });
      handleReconcileRequest(obj);
      obj.status ??= { conditions: [] } as unknown as HR['status'];
      const status = obj.status!;
      const annotations = obj.metadata.annotations ?? {};
      const forceAt = annotations[FluxMeta.ForceRequestAnnotation];
      const force = !!forceAt && forceAt !== status.lastHandledForceAt;
      const resetAt = annotations[FluxMeta.ResetRequestAnnotation];
      if (resetAt && resetAt !== status.lastHandledResetAt) {
        status.lastHandledResetAt = resetAt;
        status.failures = 0;
        status.installFailures = 0;
        status.upgradeFailures = 0;
      }
      if (isSuspended(obj)) {
        ctx.log.info('reconciliation is suspended for this object');
        suspended = true;
        return undefined;
      }
      const generation = obj.metadata.generation;
      if (generation !== undefined && status.observedGeneration !== generation) {
        conditions.markReconciling(
          obj,
          ConditionReason.Progressing,
          `processing object: new generation ${status.observedGeneration ?? 0} -> ${generation}`,
        );
      }

      const waiting = await this.#checkDependencies(obj, ctx.signal);
      if (waiting) {
        throw new StepFailure(ConditionReason.DependencyNotReady, waiting, {
          requeueAfterMs: this.#requeueDependencyMs,
        });
      }

      let chart: ResolvedChart;
      try {
        chart = await resolveChart(kube, obj, this.#deps.chartCacheDir, ctx.signal);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const message =
          err instanceof ChartNotReadyError ? err.message : `failed to get chart: ${(err as Error).message}`;
        throw new StepFailure(ConditionReason.ArtifactFailed, message, {
          requeueAfterMs: this.#requeueDependencyMs,
          cause: err,
        });
      }
      if (chart.helmChart) status.helmChart = chart.helmChart;

      let values: Record<string, unknown>;
      try {
        values = await composeValues(kube, obj, ctx.signal);
      } catch (err) {
        if (ctx.signal.aborted || !(err instanceof ValuesError)) throw err;
        throw new StepFailure(ConditionReason.InitFailed, `could not compose values: ${err.message}`, {
          cause: err,
        });
      }
      const configDigest = valuesDigest(values);
      const postRenderersDigest = digestOf(obj.spec.postRenderers ?? []);

      // A new desired state resets the failure counters (Flux does so on a new generation too).
      if (
        status.lastAttemptedRevisionDigest !== chart.digest ||
        status.lastAttemptedConfigDigest !== configDigest ||
        status.lastAttemptedGeneration !== generation
      ) {
        status.failures = 0;
        status.installFailures = 0;
        status.upgradeFailures = 0;
      }

      const result = await this.#release(ctx, obj, chart, values, configDigest, postRenderersDigest, force);
      if (forceAt) status.lastHandledForceAt = forceAt;
      status.observedGeneration = generation;
      if (generation !== undefined) status.lastAttemptedGeneration = generation;
      return result;
    } catch (err) {
      if (ctx.signal.aborted) {
        outcome = 'retry';
        throw err;
      }
      failure =
        err instanceof StepFailure
          ? err
          : new StepFailure(ConditionReason.ReconciliationFailed, (err as Error).message, { cause: err });
      conditions.markFalse(obj, ConditionType.Ready, failure.reason, failure.message);
      if (failure.options.stalled) {
        outcome = 'stalled';
        conditions.markStalled(obj, failure.options.stalledReason ?? failure.reason, failure.message);
        if (obj.metadata.generation !== undefined) obj.status!.observedGeneration = obj.metadata.generation;
        throw new TerminalError(`${id} is stalled: ${failure.message}`, { cause: err });
      }
      outcome = 'retry';
      conditions.markReconciling(obj, ConditionReason.ProgressingWithRetry, failure.message);
      conditions.markFalse(obj, ConditionType.Ready, failure.reason, failure.message);
      if (failure.options.requeueAfterMs !== undefined)
        return { requeueAfterMs: failure.options.requeueAfterMs };
      throw new SluiceError('ReconcileFailed', `${id} reconcile failed: ${failure.message}`, { cause: err });
    } finally {
      // A suspended object keeps its status as it is.
      if (!suspended) {
        if (obj.status && outcome !== 'retry') {
          if (outcome === 'success') conditions.remove(obj, ConditionType.Reconciling);
        }
        conditions.summarize(obj, { result: outcome });
        if (!ctx.signal.aborted || outcome === 'success') {
          await patcher.patch(obj).catch((err: unknown) => {
            ctx.log.error({ err: (err as Error).message }, 'status patch failed');
          });
        }
        if (failure && !failure.options.reported && failure.reason !== ConditionReason.DependencyNotReady) {
          await recorder.warning(obj, failure.reason, failure.message, this.#meta(obj));
        }
      }
    }
  }

  #meta(obj: HR): Record<string, string> {
    const s = obj.status;
    const meta: Record<string, string> = {};
    if (s?.lastAttemptedRevision) meta[`${HELM_GROUP}/revision`] = s.lastAttemptedRevision;
    if (s?.lastAttemptedConfigDigest) meta[`${HELM_GROUP}/token`] = s.lastAttemptedConfigDigest;
    return meta;
  }

  async #checkDependencies(obj: HR, signal: AbortSignal): Promise<string | undefined> {
    for (const dep of obj.spec.dependsOn ?? []) {
      const kind = (dep as { kind?: string }).kind ?? 'HelmRelease';
      const apiVersion = kind === 'Kustomization' ? KustomizationKind.apiVersion : HelmReleaseKind.apiVersion;
      const ns = dep.namespace ?? obj.metadata.namespace ?? 'default';
      const other = await this.#deps.kube.tryGet<HR>(
        { apiVersion, kind, namespace: ns, name: dep.name },
        { signal },
      );
      const ready = other?.status?.conditions?.find((c) => c.type === 'Ready');
      const current = other && other.status?.observedGeneration === other.metadata.generation;
      if (!other || ready?.status !== 'True' || !current) {
        return `dependency '${ns}/${dep.name}' is not ready`;
      }
    }
    return undefined;
  }

  #target(obj: HR): { name: string; namespace: string } {
    const ns = obj.metadata.namespace ?? 'default';
    const spec = obj.spec;
    if (spec.storageNamespace && spec.targetNamespace && spec.storageNamespace !== spec.targetNamespace) {
      throw new StepFailure(
        ConditionReason.InitFailed,
        'storageNamespace must equal targetNamespace: Sluice stores a release in the namespace it is installed into',
        { stalled: true },
      );
    }
    return { name: releaseNameOf(obj), namespace: spec.targetNamespace ?? spec.storageNamespace ?? ns };
  }

  async #release(
    ctx: ReconcileContext,
    obj: HR,
    chart: ResolvedChart,
    values: Record<string, unknown>,
    configDigest: string,
    postRenderersDigest: string,
    force: boolean,
  ): Promise<ReconcileResult | undefined> {
    const { kube } = this.#deps;
    const status = obj.status!;
    const spec = obj.spec;
    const target = this.#target(obj);
    const releaseId = `${target.namespace}/${target.name}`;
    status.storageNamespace = target.namespace;
    const interval = durationMs(spec.interval, 600_000);
    let revisions = await listStoredRevisions(kube, target.namespace, target.name, ctx.signal);
    if (revisions[0]?.status.startsWith('pending-')) {
      // A helm process died mid-operation (this controller was killed): release helm's lock.
      await unlockRelease(kube, revisions[0], ctx.signal);
      ctx.log.warn({ release: releaseId, version: revisions[0].version }, 'unlocked a pending release');
      revisions = await listStoredRevisions(kube, target.namespace, target.name, ctx.signal);
    }
    const latest = revisions[0];
    const current = status.history?.[0];
    const live = revisions.find((r) => r.status === 'deployed');

    const inSync =
      !force &&
      latest?.status === 'deployed' &&
      current?.version === latest.version &&
      status.lastReleaseRevision === latest.version &&
      conditions.isTrue(obj, ConditionType.Released) &&
      status.lastAttemptedRevisionDigest === chart.digest &&
      status.lastAttemptedConfigDigest === configDigest &&
      (status.observedPostRenderersDigest ?? digestOf([])) === postRenderersDigest;

    if (inSync) {
      this.#refreshHistory(obj, revisions);
      if (spec.test?.enable && !current.testHooks && !conditions.has(obj, ConditionType.TestSuccess)) {
        await this.#runTests(ctx, obj, target, latest);
      }
      await this.#detectDrift(ctx, obj, latest);
      const released = conditions.get(obj, ConditionType.Released);
      conditions.markTrue(
        obj,
        ConditionType.Ready,
        released?.status === 'True' ? released.reason : ConditionReason.Succeeded,
        released?.status === 'True'
          ? released.message
          : `Helm release ${releaseId}.v${latest.version} is in sync with the desired state`,
      );
      return { requeueAfterMs: interval };
    }

    // Same inputs failed before: stop when the retries are spent.
    const install = !live;
    const retries = install
      ? (spec.install?.remediation?.retries ?? 0)
      : (spec.upgrade?.remediation?.retries ?? 0);
    const failuresSoFar = (install ? status.installFailures : status.upgradeFailures) ?? 0;
    const sameInputs =
      status.lastAttemptedRevisionDigest === chart.digest &&
      status.lastAttemptedConfigDigest === configDigest;
    if (!force && sameInputs && failuresSoFar > 0 && retries >= 0 && failuresSoFar > retries) {
      const action = install ? 'install' : 'upgrade';
      const released = conditions.get(obj, ConditionType.Released);
      const last = released?.status === 'False' ? `: ${released.message}` : '';
      throw new StepFailure(
        released?.status === 'False' ? released.reason : ConditionReason.RetriesExceeded,
        `Failed to ${action} after ${failuresSoFar} attempt(s)${last}`,
        { stalled: true, stalledReason: ConditionReason.RetriesExceeded },
      );
    }

    // A release that never deployed cannot be upgraded: clear it first.
    if (install && latest && latest.status !== 'uninstalled') {
      await this.#deps.helm.uninstall({ ...target, signal: ctx.signal, wait: false });
    }

    const action: 'install' | 'upgrade' = install ? 'install' : 'upgrade';
    status.lastAttemptedReleaseAction = action;
    status.lastAttemptedRevisionDigest = chart.digest;
    status.lastAttemptedConfigDigest = configDigest;
    status.lastAttemptedValuesChecksum = configDigest.replace(/^sha256:/, '');
    status.lastAttemptedRevision = chart.revision.split('@')[0] ?? chart.revision;
    status.observedPostRenderersDigest = postRenderersDigest;
    if (obj.metadata.generation !== undefined) status.lastAttemptedGeneration = obj.metadata.generation;
    conditions.markReconciling(
      obj,
      ConditionReason.Progressing,
      `Running '${action}' action with timeout of ${spec.install?.timeout ?? spec.timeout ?? '5m0s'}`,
    );

    const crds = this.#crdsPolicy(obj, action);
    if (crds === 'CreateReplace' || (crds === 'Create' && action === 'upgrade')) {
      try {
        await applyChartCrds(kube, this.#deps.resources, chart.path, crds, ctx.signal);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const message = `failed to apply CustomResourceDefinitions: ${(err as Error).message}`;
        return this.#onFailure(ctx, obj, target, action, message, revisions, configDigest);
      }
    }
    const common = this.#actionOptions(obj, chart, values, target, action, ctx.signal);
    const started = Date.now();
    let rel: HelmReleaseRecord;
    try {
      rel = install ? await this.#deps.helm.install(common) : await this.#deps.helm.upgrade(common);
    } catch (err) {
      if (ctx.signal.aborted || !(err instanceof HelmError)) throw err;
      status.lastAttemptedReleaseActionDuration = `${((Date.now() - started) / 1000).toFixed(3)}s`;
      return this.#onFailure(ctx, obj, target, action, err.message, revisions, configDigest);
    }
    status.lastAttemptedReleaseActionDuration = `${((Date.now() - started) / 1000).toFixed(3)}s`;
    const chartName = chartLabel(rel, status.lastAttemptedRevision ?? '');
    status.lastAttemptedRevision = rel.chart?.metadata?.version ?? status.lastAttemptedRevision;
    this.#pushSnapshot(obj, snapshotOf(rel, configDigest, new Date().toISOString()));
    status.lastReleaseRevision = rel.version;
    const reason = install ? ConditionReason.InstallSucceeded : ConditionReason.UpgradeSucceeded;
    const message = `Helm ${action} succeeded for release ${releaseId}.v${rel.version} with chart ${chartName}`;
    conditions.markTrue(obj, ConditionType.Released, reason, message);
    conditions.remove(obj, ConditionType.Remediated);
    conditions.remove(obj, ConditionType.TestSuccess);
    await this.#deps.recorder.normal(obj, reason, message, this.#meta(obj));

    if (spec.test?.enable) {
      const fresh = await listStoredRevisions(kube, target.namespace, target.name, ctx.signal);
      const ok = await this.#runTests(ctx, obj, target, fresh[0]);
      if (!ok && !spec.test.ignoreFailures) {
        const ignore = install
          ? spec.install?.remediation?.ignoreTestFailures
          : spec.upgrade?.remediation?.ignoreTestFailures;
        if (!ignore) {
          const msg = conditions.get(obj, ConditionType.TestSuccess)?.message ?? 'Helm test failed';
          return this.#onFailure(ctx, obj, target, action, msg, fresh, configDigest, true);
        }
      }
    }
    status.failures = 0;
    status.installFailures = 0;
    status.upgradeFailures = 0;
    const after = await listStoredRevisions(kube, target.namespace, target.name, ctx.signal);
    this.#refreshHistory(obj, after);
    conditions.markTrue(obj, ConditionType.Ready, reason, message);
    return { requeueAfterMs: interval };
  }

  #crdsPolicy(obj: HR, action: 'install' | 'upgrade'): 'Skip' | 'Create' | 'CreateReplace' {
    const spec = obj.spec;
    if (action === 'install') return spec.install?.crds ?? (spec.install?.skipCRDs ? 'Skip' : 'Create');
    return spec.upgrade?.crds ?? 'Skip';
  }

  #actionOptions(
    obj: HR,
    chart: ResolvedChart,
    values: Record<string, unknown>,
    target: { name: string; namespace: string },
    action: 'install' | 'upgrade',
    signal: AbortSignal,
  ) {
    const spec = obj.spec;
    const a = action === 'install' ? spec.install : spec.upgrade;
    const timeoutMs = durationMs(a?.timeout ?? spec.timeout, 300_000);
    // helm creates missing CRDs on install; every other policy is applied before helm runs.
    const crds = this.#crdsPolicy(obj, action);
    return {
      ...target,
      chart: chart.path,
      values,
      timeoutMs,
      wait: !a?.disableWait,
      waitForJobs: !a?.disableWaitForJobs,
      disableHooks: !!a?.disableHooks,
      disableOpenAPIValidation: !!a?.disableOpenAPIValidation,
      skipSchemaValidation: !!a?.disableSchemaValidation,
      skipCRDs: action === 'upgrade' || crds !== 'Create',
      createNamespace: action === 'install' && !!spec.install?.createNamespace,
      takeOwnership: !a?.disableTakeOwnership,
      maxHistory: spec.maxHistory ?? 5,
      force: action === 'upgrade' && !!spec.upgrade?.force,
      cleanupOnFail: action === 'upgrade' && !!spec.upgrade?.cleanupOnFail,
      reuseValues: action === 'upgrade' && !!spec.upgrade?.preserveValues,
      ...(spec.postRenderers?.length ? { postRenderers: spec.postRenderers } : {}),
      signal,
    };
  }

  /** Counts a failed action, remediates as configured, and decides between retrying and stalling. */
  async #onFailure(
    ctx: ReconcileContext,
    obj: HR,
    target: { name: string; namespace: string },
    action: 'install' | 'upgrade',
    helmMessage: string,
    before: StoredRevision[],
    configDigest: string,
    testFailure = false,
  ): Promise<ReconcileResult | undefined> {
    const { kube, recorder } = this.#deps;
    const status = obj.status!;
    const spec = obj.spec;
    const releaseId = `${target.namespace}/${target.name}`;
    status.failures = (status.failures ?? 0) + 1;
    const counter = action === 'install' ? 'installFailures' : 'upgradeFailures';
    status[counter] = (status[counter] ?? 0) + 1;
    const failures = status[counter];
    const chart = status.lastAttemptedRevision ?? '';
    const reason = testFailure
      ? ConditionReason.TestFailed
      : action === 'install'
        ? ConditionReason.InstallFailed
        : ConditionReason.UpgradeFailed;
    const message = testFailure
      ? helmMessage
      : `Helm ${action} failed for release ${releaseId} with chart ${obj.spec.chart?.spec.chart ?? ''}@${chart}: ${helmMessage}`;
    if (!testFailure) conditions.markFalse(obj, ConditionType.Released, reason, message);
    // The failure is told before its remediation, as Flux does.
    await recorder.warning(obj, reason, message, this.#meta(obj));

    const after = await listStoredRevisions(kube, target.namespace, target.name, ctx.signal);
    const newRelease =
      after[0] && (!before[0] || after[0].version > before[0].version) ? after[0] : undefined;
    if (newRelease) {
      const rel = decodeReleaseSecret(newRelease.secret);
      this.#pushSnapshot(obj, snapshotOf(rel, configDigest, new Date().toISOString()));
      status.lastReleaseRevision = rel.version;
    }
    const remediation = action === 'install' ? spec.install?.remediation : spec.upgrade?.remediation;
    const retries = remediation?.retries ?? 0;
    const exhausted = retries >= 0 && failures > retries;
    const remediateLast = remediation?.remediateLastFailure ?? retries > 0;
    // Only a release the failed action recorded can be remediated; a chart that did not render leaves the
    // previous release as it was.
    if (newRelease && (!exhausted || remediateLast)) {
      await this.#remediate(ctx, obj, target, action, after);
    }
    this.#refreshHistory(obj, await listStoredRevisions(kube, target.namespace, target.name, ctx.signal));
    if (exhausted) {
      throw new StepFailure(reason, message, {
        stalled: true,
        stalledReason: ConditionReason.RetriesExceeded,
        reported: true,
      });
    }
    throw new StepFailure(reason, message, { reported: true });
  }

  async #remediate(
    ctx: ReconcileContext,
    obj: HR,
    target: { name: string; namespace: string },
    action: 'install' | 'upgrade',
    revisions: StoredRevision[],
  ): Promise<void> {
    const { helm, recorder } = this.#deps;
    const spec = obj.spec;
    const releaseId = `${target.namespace}/${target.name}`;
    const strategy = action === 'install' ? 'uninstall' : (spec.upgrade?.remediation?.strategy ?? 'rollback');
    const previous = revisions.find((r) => r.status === 'deployed' || r.status === 'superseded');
    try {
      if (strategy === 'rollback' && previous) {
        const rel = decodeReleaseSecret(previous.secret);
        await helm.rollback({
          ...target,
          revision: previous.version,
          timeoutMs: durationMs(spec.rollback?.timeout ?? spec.timeout, 300_000),
          wait: !spec.rollback?.disableWait,
          waitForJobs: !spec.rollback?.disableWaitForJobs,
          disableHooks: !!spec.rollback?.disableHooks,
          cleanupOnFail: !!spec.rollback?.cleanupOnFail,
          force: !!spec.rollback?.force,
          maxHistory: spec.maxHistory ?? 5,
          signal: ctx.signal,
        });
        const message = `Helm rollback to previous release ${releaseId}.v${previous.version} with chart ${chartLabel(rel, '')} succeeded`;
        conditions.markTrue(obj, ConditionType.Remediated, ConditionReason.RollbackSucceeded, message);
        await recorder.normal(obj, ConditionReason.RollbackSucceeded, message, this.#meta(obj));
      } else {
        await helm.uninstall({
          ...target,
          timeoutMs: durationMs(spec.uninstall?.timeout ?? spec.timeout, 300_000),
          wait: !spec.uninstall?.disableWait,
          disableHooks: !!spec.uninstall?.disableHooks,
          keepHistory: !!spec.uninstall?.keepHistory,
          deletionPropagation: spec.uninstall?.deletionPropagation ?? 'background',
          signal: ctx.signal,
        });
        const latest = revisions[0];
        const message = `Helm uninstall succeeded for release ${releaseId}.v${latest?.version ?? 0} with chart ${
          latest ? chartLabel(decodeReleaseSecret(latest.secret), '') : ''
        }`;
        conditions.markTrue(obj, ConditionType.Remediated, ConditionReason.UninstallSucceeded, message);
        await recorder.normal(obj, ConditionReason.UninstallSucceeded, message, this.#meta(obj));
        for (const s of obj.status?.history ?? []) {
          if (s.version === latest?.version && !s.deleted) s.deleted = new Date().toISOString();
        }
      }
    } catch (err) {
      if (ctx.signal.aborted || !(err instanceof HelmError)) throw err;
      const reason =
        strategy === 'rollback' && previous
          ? ConditionReason.RollbackFailed
          : ConditionReason.UninstallFailed;
      const message = `Helm ${strategy} failed for release ${releaseId}: ${err.message}`;
      conditions.markFalse(obj, ConditionType.Remediated, reason, message);
      await recorder.warning(obj, reason, message, this.#meta(obj));
    }
  }

  /** Runs `helm test`; records `TestSuccess` and the test hooks in the newest snapshot. */
  async #runTests(
    ctx: ReconcileContext,
    obj: HR,
    target: { name: string; namespace: string },
    latest: StoredRevision | undefined,
  ): Promise<boolean> {
    const { helm, recorder, kube } = this.#deps;
    const spec = obj.spec;
    const releaseId = `${target.namespace}/${target.name}`;
    let ok = true;
    let detail = '';
    try {
      await helm.test({
        ...target,
        timeoutMs: durationMs(spec.test?.timeout ?? spec.timeout, 300_000),
        ...(spec.test?.filters ? { filters: spec.test.filters } : {}),
        signal: ctx.signal,
      });
    } catch (err) {
      if (ctx.signal.aborted || !(err instanceof HelmError)) throw err;
      ok = false;
      detail = err.message;
    }
    const fresh = (await listStoredRevisions(kube, target.namespace, target.name, ctx.signal)).find(
      (r) => r.version === latest?.version,
    );
    const rel = fresh ? decodeReleaseSecret(fresh.secret) : undefined;
    const hooks = (rel?.hooks ?? []).filter((h) => h.events?.includes('test'));
    const testHooks: Record<string, { lastStarted?: string; lastCompleted?: string; phase?: string }> = {};
    for (const h of hooks) {
      const r = h.last_run ?? {};
      testHooks[`${target.namespace}/${h.name}`] = {
        ...(r.started_at ? { lastStarted: r.started_at } : {}),
        ...(r.completed_at ? { lastCompleted: r.completed_at } : {}),
        ...(r.phase ? { phase: r.phase } : {}),
      };
    }
    const snap = obj.status?.history?.find((s) => s.version === latest?.version);
    if (snap) snap.testHooks = testHooks;
    const label = chartLabel(rel, '');
    const version = latest?.version ?? 0;
    if (ok) {
      const n = hooks.length;
      const message = `Helm test succeeded for release ${releaseId}.v${version} with chart ${label}: ${
        n === 0 ? 'no test hooks' : `${n} test hook${n === 1 ? '' : 's'} completed successfully`
      }`;
      conditions.markTrue(obj, ConditionType.TestSuccess, ConditionReason.TestSucceeded, message);
      await recorder.normal(obj, ConditionReason.TestSucceeded, message, this.#meta(obj));
    } else {
      const message = `Helm test failed for release ${releaseId}.v${version} with chart ${label}: ${detail}`;
      conditions.markFalse(obj, ConditionType.TestSuccess, ConditionReason.TestFailed, message);
      if (spec.test?.ignoreFailures)
        await recorder.warning(obj, ConditionReason.TestFailed, message, this.#meta(obj));
    }
    return ok;
  }

  /** Compares the release objects with the cluster; corrects them when drift detection is `enabled`. */
  async #detectDrift(ctx: ReconcileContext, obj: HR, latest: StoredRevision): Promise<void> {
    const mode = obj.spec.driftDetection?.mode ?? 'disabled';
    if (mode === 'disabled') return;
    const { kube, resources, recorder } = this.#deps;
    const rel = decodeReleaseSecret(latest.secret);
    const objects: KubeObject[] = [];
    for (const doc of parseAllDocuments(rel.manifest ?? '')) {
      const o = doc.toJS() as KubeObject | null;
      if (!o || typeof o !== 'object' || !o.kind) continue;
      const m = await kube.mappingFor(o, ctx.signal);
      if (m.namespaced && !o.metadata.namespace) o.metadata.namespace = rel.namespace;
      // helm stamps its ownership metadata at apply time; the stored manifest lacks it.
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'Helm' };
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        'meta.helm.sh/release-name': rel.name,
        'meta.helm.sh/release-namespace': rel.namespace,
      };
      objects.push(o);
    }
    const ignore = obj.spec.driftDetection?.ignore ?? [];
    const drifted: KubeObject[] = [];
    const changes: string[] = [];
    for (const o of objects) {
      const d = await resources.diff(o, { signal: ctx.signal });
      if (!d.drifted) continue;
      const rules = ignore.filter((r) => matches(r.target, o));
      if (rules.length > 0 && d.existing && d.dryRun) {
        for (const r of rules)
          for (const p of r.paths) {
            removePointer(d.existing, p);
            removePointer(d.dryRun, p);
          }
        if (!changed(d.existing, d.dryRun)) continue;
      }
      drifted.push(o);
      changes.push(`${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
    }
    const releaseId = `${rel.namespace}/${rel.name}.v${rel.version}`;
    if (drifted.length === 0) {
      conditions.remove(obj, ConditionType.Drifted);
      return;
    }
    if (mode === 'warn') {
      const message = `Cluster state of release ${releaseId} has drifted from the desired state: ${changes.join(', ')} changed`;
      conditions.markTrue(obj, ConditionType.Drifted, ConditionReason.DriftDetected, message);
      await recorder.warning(obj, ConditionReason.DriftDetected, message, this.#meta(obj));
      return;
    }
    for (const o of drifted) await resources.apply(o, { force: true, cleanup: false, signal: ctx.signal });
    const message = `Cluster state of release ${releaseId} has been corrected: ${changes.join(', ')} changed`;
    conditions.remove(obj, ConditionType.Drifted);
    await recorder.normal(obj, ConditionReason.DriftDetected, message, this.#meta(obj));
  }

  #pushSnapshot(obj: HR, snap: Snapshot): void {
    const status = obj.status!;
    const history = (status.history ?? []).filter((s) => s.version !== snap.version || s.name !== snap.name);
    history.unshift(snap);
    status.history = history;
  }

  /** Updates snapshot statuses from the stored revisions and trims the history to `maxHistory`. */
  #refreshHistory(obj: HR, revisions: StoredRevision[]): void {
    const status = obj.status!;
    const byVersion = new Map(revisions.map((r) => [r.version, r]));
    for (const s of status.history ?? []) {
      const r = byVersion.get(s.version);
      if (r) s.status = r.status;
      else if (!s.deleted && s.status !== 'uninstalled') s.deleted = s.deleted ?? new Date().toISOString();
    }
    // Releases helm made for Sluice that no snapshot knows yet (rollbacks).
    for (const r of revisions) {
      if (!(status.history ?? []).some((s) => s.version === r.version && s.name === r.name)) {
        const rel = decodeReleaseSecret(r.secret);
        const snap = snapshotOf(rel, valuesDigest(rel.config ?? {}), new Date().toISOString());
        status.history = [...(status.history ?? []), snap];
      }
    }
    status.history = (status.history ?? []).sort((a, b) => b.version - a.version);
    const max = obj.spec.maxHistory ?? 5;
    if (max > 0 && status.history.length > max) status.history = status.history.slice(0, max);
  }

  async #finalize(ctx: ReconcileContext, obj: HR): Promise<void> {
    const { helm, kube } = this.#deps;
    if (!obj.spec.suspend) {
      let target: { name: string; namespace: string } | undefined;
      try {
        target = this.#target(obj);
      } catch {
        target = undefined;
      }
      if (target) {
        await helm.uninstall({
          ...target,
          timeoutMs: durationMs(obj.spec.uninstall?.timeout ?? obj.spec.timeout, 300_000),
          wait: !obj.spec.uninstall?.disableWait,
          keepHistory: !!obj.spec.uninstall?.keepHistory,
          disableHooks: !!obj.spec.uninstall?.disableHooks,
          deletionPropagation: obj.spec.uninstall?.deletionPropagation ?? 'background',
          signal: ctx.signal,
        });
        ctx.log.info({ release: `${target.namespace}/${target.name}` }, 'release uninstalled');
      }
    }
    if (obj.spec.chart) {
      const hc = helmChartFor(obj);
      await kube
        .delete({ ...hc, name: hc.metadata.name!, namespace: hc.metadata.namespace! }, { signal: ctx.signal })
        .catch(() => undefined);
    }
  }
}

function matches(target: Record<string, unknown> | undefined, o: KubeObject): boolean {
  if (!target) return true;
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  if (target.group !== undefined && target.group !== group) return false;
  if (target.version !== undefined && target.version !== version) return false;
  if (target.kind !== undefined && target.kind !== o.kind) return false;
  if (target.name !== undefined && !new RegExp(`^(?:${target.name})$`).test(o.metadata.name ?? ''))
    return false;
  if (target.namespace !== undefined && target.namespace !== o.metadata.namespace) return false;
  return true;
}

function removePointer(doc: Record<string, unknown>, pointer: string): void {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!node || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[parts[i]!];
  }
  if (node && typeof node === 'object') {
    const last = parts[parts.length - 1]!;
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete (node as Record<string, unknown>)[last];
  }
}

function changed(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata, status, ...rest } = o;
    return JSON.stringify(
      canonical({ ...rest, labels: metadata?.labels ?? {}, annotations: metadata?.annotations ?? {} }),
    );
  };
  return strip(a) !== strip(b);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
