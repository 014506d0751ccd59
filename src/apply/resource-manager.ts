import type { Logger } from 'pino';
import { pino } from 'pino';
import { computeStatus } from '../kstatus/index.js';
import type { Clock, KubeClient, KubeObject, ObjectMeta, ObjectRef } from '../kube/index.js';
import { apiErrorOf, isNotFound, sleep, splitApiVersion, systemClock } from '../kube/index.js';
import type { ChangeSetAction, ChangeSetEntry } from './change-set.js';
import { ChangeSet } from './change-set.js';
import { anyInMetadata, hasDrifted, maskSecretData } from './drift.js';
import { ApplyError, ImmutableFieldError } from './errors.js';
import type { Inventory } from './inventory.js';
import { mapLimit } from './limit.js';
import type { ObjMetadata } from './object-id.js';
import { compareObjMetadata, formatObjectId, formatSubject, kindRank, objMetadataOf } from './object-id.js';
import type { HealthFunction, ObjectStatus, WaitOptions } from './wait.js';
import { waitForObjects } from './wait.js';
import type { WatchHub } from './watch-hub.js';

/** Who applies: the field manager and the prefix of the ownership labels and annotations (Flux's `ssa.Owner`). */
export interface Owner {
  /** The server-side apply field manager, e.g. `kustomize-controller`. */
  field: string;
  /** The label and annotation prefix, e.g. `kustomize.toolkit.fluxcd.io`. */
  group: string;
}

/** What a {@link ResourceManager} needs. */
export interface ResourceManagerDeps {
  kube: KubeClient;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Health of an object for {@link ResourceManager.waitForSet}. Default: kstatus' `computeStatus`. */
  computeStatus?: HealthFunction;
  /**
   * Watches shared with other managers, to follow objects during health waits. Default: each wait opens
   * its own, narrowed by the owner labels.
   */
  watches?: WatchHub;
}

/** Options of {@link ResourceManager}. */
export interface ResourceManagerOptions {
  /** Field manager and label prefix. Default: `{field: 'kustomize-controller', group: 'kustomize.toolkit.fluxcd.io'}`. */
  owner?: Partial<Owner>;
  /** Overrides `owner.field`. */
  fieldManager?: string;
  /**
   * The object that owns what is applied (a Kustomization): its `<group>/name` and `<group>/namespace`
   * labels are stamped on every applied object, and {@link ResourceManager.deleteAll} deletes only objects
   * that carry them. Default: no labels, no ownership check.
   */
  ownedBy?: { name: string; namespace: string };
  /** Requests in flight per call (dry-runs, applies, deletes, health reads). Default: 8. */
  concurrency?: number;
}

/** Options of {@link ResourceManager.apply}, {@link ResourceManager.applyAll} and {@link ResourceManager.applyAllStaged}. */
export interface ApplyOptions {
  /** Recreate objects whose immutable fields changed (a Kustomization's `spec.force`). Default: false. */
  force?: boolean;
  /**
   * Before applying, hand fields that `kubectl` (apply or edit) and `before-first-apply` own to this field
   * manager and drop `kubectl.kubernetes.io/last-applied-configuration`, so fields removed from the source
   * disappear (Flux's Override policy). Objects annotated `<group>/ssa: Merge` keep them. Default: true.
   */
  cleanup?: boolean;
  /** Staged apply: wait for CRDs, Namespaces, ClusterRoles and classes before the rest. Default: true. */
  waitForDefinitions?: boolean;
  /** How long to wait for definitions, and for a recreated object to disappear. Default: 60 s. */
  waitTimeoutMs?: number;
  /** Poll interval of those waits (the first check is immediate). Default: 2 s. */
  waitIntervalMs?: number;
  /**
   * The inventory of the previous apply of this set. Objects missing from it are taken for new and applied
   * with one request, without reading them first (unless they are annotated `ssa: IfNotPresent`, `Ignore` or
   * `reconcile: disabled`); the answer tells `created` (this manager is the only one in its managed fields)
   * from `configured`. Annotations on such an object in the cluster are not consulted. Default: every
   * object is read first.
   */
  inventory?: Inventory;
  signal?: AbortSignal;
}

/** Options of {@link ResourceManager.diff}. */
export interface DiffOptions {
  /** As {@link ApplyOptions.force}: an immutable change reads as `created` instead of failing. Default: false. */
  force?: boolean;
  signal?: AbortSignal;
}

/** The outcome of {@link ResourceManager.diff}. */
export interface DiffResult {
  /** `created`, `configured`, `unchanged` or `skipped`. */
  entry: ChangeSetEntry;
  /** The object in the cluster (managed fields removed, Secret data masked); absent when it does not exist. */
  existing?: KubeObject;
  /** The object as applying would leave it (managed fields removed, Secret data masked). */
  dryRun?: KubeObject;
  /** Whether applying would change the object. */
  drifted: boolean;
}

/** Options of {@link ResourceManager.deleteAll}. */
export interface DeleteAllOptions {
  /** Default: `Background`. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Delete only objects carrying all these labels. Default: the `ownedBy` labels, if any. */
  inclusions?: Record<string, string>;
  /**
   * Skip objects carrying any of these labels or annotations (values compare case-insensitively). Default:
   * `<group>/prune: disabled`, `<group>/reconcile: disabled`, `<group>/ssa: Ignore`.
   */
  exclusions?: Record<string, string>;
  signal?: AbortSignal;
}

/** Returns the ownership labels `<group>/name` and `<group>/namespace`. */
export function ownerLabels(group: string, name: string, namespace: string): Record<string, string> {
  return { [`${group}/name`]: name, [`${group}/namespace`]: namespace };
}

/** Server-set metadata that never belongs in an apply body. */
const SERVER_META = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A managed fields entry, as the server stores it. */
interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

interface Prepared {
  body: KubeObject;
  ref: ObjectRef;
  meta: ObjMetadata;
  version: string;
  subject: string;
}

interface Plan {
  prepared: Prepared;
  action: ChangeSetAction;
  /** Set when the object must be applied for real. */
  apply: boolean;
  /** Applied without a read: the action follows from the apply's answer. */
  blind?: boolean;
}

/**
 * Reconciles objects onto a cluster with server-side apply, as Flux's `ssa.ResourceManager` does. Each object
 * is read, dry-run applied and compared with what is there; only drifted objects are applied, so an
 * unchanged object costs no write. Objects that do not exist are applied at once (no dry-run). Staged apply
 * puts CRDs and Namespaces first and waits for them; `deleteAll` prunes; `waitForSet` waits for health.
 * The `<group>/ssa` (`Override`, `Merge`, `IfNotPresent`, `Ignore`), `<group>/force: Enabled`,
 * `<group>/prune: disabled` and `<group>/reconcile: disabled` annotations are honoured.
 */
export class ResourceManager {
  /** The field manager of every apply. */
  readonly fieldManager: string;
  /** The label and annotation prefix. */
  readonly group: string;
  /** The labels stamped on applied objects (empty without `ownedBy`). */
  readonly ownerLabels: Readonly<Record<string, string>>;
  readonly #kube: KubeClient;
  readonly #clock: Clock;
  /**
   * The server's state of each object as this manager last applied, dry-ran or read it, so that a health
   * wait right after an apply starts from it instead of reading every object again.
   */
  readonly #lastSeen = new Map<string, KubeObject>();
  readonly #log: Logger;
  readonly #computeStatus: HealthFunction;
  readonly #watches: WatchHub | undefined;
  readonly #concurrency: number;
  readonly #exclusions: Record<string, string>;
  readonly #ifNotPresent: Record<string, string>;
  readonly #forceSelector: Record<string, string>;
  readonly #mergeSelector: Record<string, string>;
  readonly #pruneExclusions: Record<string, string>;

  constructor(deps: ResourceManagerDeps, options: ResourceManagerOptions = {}) {
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`ResourceManager concurrency must be a positive integer, got ${concurrency}`);
    }
    this.#kube = deps.kube;
    this.#clock = deps.clock ?? systemClock;
    this.#log = (deps.logger ?? pino({ level: 'silent' })).child({ component: 'resource-manager' });
    const clock = this.#clock;
    this.#computeStatus =
      deps.computeStatus ?? ((obj) => computeStatus(obj, { now: () => new Date(clock.now()) }));
    this.#concurrency = concurrency;
    this.#watches = deps.watches;
    this.fieldManager = options.fieldManager ?? options.owner?.field ?? 'kustomize-controller';
    const group = options.owner?.group ?? 'kustomize.toolkit.fluxcd.io';
    this.group = group;
    this.ownerLabels = options.ownedBy
      ? ownerLabels(group, options.ownedBy.name, options.ownedBy.namespace)
      : {};
    this.#exclusions = { [`${group}/reconcile`]: 'disabled', [`${group}/ssa`]: 'Ignore' };
    this.#ifNotPresent = { [`${group}/ssa`]: 'IfNotPresent' };
    this.#forceSelector = { [`${group}/force`]: 'Enabled' };
    this.#mergeSelector = { [`${group}/ssa`]: 'Merge' };
    this.#pruneExclusions = {
      [`${group}/prune`]: 'disabled',
      [`${group}/reconcile`]: 'disabled',
      [`${group}/ssa`]: 'Ignore',
    };
  }

  /**
   * Applies one object if it is new or has drifted and says what happened. Throws {@link ApplyError}
   * (`DryRunFailed`, `ApplyFailed`, `InvalidObject`) or {@link ImmutableFieldError}.
   */
  async apply(object: KubeObject, options: ApplyOptions = {}): Promise<ChangeSetEntry> {
    let plan = await this.#plan(object, options, inventoryIds(options.inventory));
    if (plan.apply) plan = await this.#commit(plan, options);
    return entryOf(plan.prepared, plan.action);
  }

  /**
   * Applies a set of objects: reads and dry-runs every object first (bounded parallelism), then applies the
   * new and drifted ones (webhook configurations last). A dry-run failure stops the set before any apply.
   * Entries come in Flux's apply order.
   */
  async applyAll(objects: readonly KubeObject[], options: ApplyOptions = {}): Promise<ChangeSet> {
    const sorted = sortForApply(objects);
    const started = this.#clock.now();
    let plans: Plan[];
    try {
      const known = inventoryIds(options.inventory);
      plans = await mapLimit(sorted, this.#concurrency, (o) => this.#plan(o, options, known));
    } catch (err) {
      throw withChangeSet(err, new ChangeSet());
    }
    const toApply = plans.filter((p) => p.apply);
    const late = toApply.filter((p) => kindRank(p.prepared.meta.kind) > 0);
    const early = toApply.filter((p) => kindRank(p.prepared.meta.kind) <= 0);
    const done = new Map<Plan, Plan>();
    try {
      for (const stage of [early, late]) {
        await mapLimit(stage, this.#concurrency, async (p) => {
          done.set(p, await this.#commit(p, options));
        });
      }
    } catch (err) {
      // What was applied (or needed nothing) before the failure.
      const partial = plans.filter((p) => !p.apply || done.has(p)).map((p) => done.get(p) ?? p);
      throw withChangeSet(err, new ChangeSet(partial.map((p) => entryOf(p.prepared, p.action))));
    }
    plans = plans.map((p) => done.get(p) ?? p);
    const changeSet = new ChangeSet(plans.map((p) => entryOf(p.prepared, p.action)));
    this.#log.debug(
      { objects: plans.length, applied: toApply.length, ms: this.#clock.now() - started },
      'server-side apply completed',
    );
    return changeSet;
  }

  /**
   * Applies objects in stages, as Flux does: CRDs, Namespaces and ClusterRoles first, waiting until they are
   * ready (CRDs established); then classes (StorageClass, IngressClass, …), waiting again; then everything
   * else. On failure the thrown {@link ApplyError} carries the change set of the stages done so far.
   */
  async applyAllStaged(objects: readonly KubeObject[], options: ApplyOptions = {}): Promise<ChangeSet> {
    const definitions: KubeObject[] = [];
    const classes: KubeObject[] = [];
    const rest: KubeObject[] = [];
    for (const o of objects) {
      if (isClusterDefinition(o)) definitions.push(o);
      else if (o.kind?.endsWith('Class')) classes.push(o);
      else rest.push(o);
    }
    const changeSet = new ChangeSet();
    for (const [stage, wait] of [
      [definitions, true],
      [classes, true],
      [rest, false],
    ] as const) {
      if (stage.length === 0) continue;
      let cs: ChangeSet;
      try {
        cs = await this.applyAll(stage, options);
      } catch (err) {
        const partial = err instanceof ApplyError ? (err.changeSet?.entries ?? []) : [];
        throw withChangeSet(err, new ChangeSet([...changeSet.entries, ...partial]));
      }
      changeSet.add(...cs.entries);
      if (wait && options.waitForDefinitions !== false) {
        try {
          await this.waitForSet(cs.toRefs(), {
            fromApplied: true,
            timeoutMs: options.waitTimeoutMs ?? 60_000,
            intervalMs: options.waitIntervalMs ?? 2_000,
            ...(options.signal ? { signal: options.signal } : {}),
          });
        } catch (err) {
          if (options.signal?.aborted) throw err;
          throw new ApplyError(
            'WaitFailed',
            `Cluster definitions did not become ready: ${(err as Error).message}`,
            {
              cause: err,
              changeSet,
            },
          );
        }
      }
    }
    return changeSet;
  }

  /**
   * Dry-runs one object and compares the result with the cluster, writing nothing: what applying would do,
   * for `sluice diff`. Managed fields are removed from the returned objects and Secret data is masked.
   */
  async diff(object: KubeObject, options: DiffOptions = {}): Promise<DiffResult> {
    const signal = options.signal;
    const p = await this.#prepare(object, signal);
    const existing = await this.#get(p, signal);
    if (this.#skip(p, existing)) {
      return {
        entry: entryOf(p, 'skipped'),
        ...(existing ? { existing: strip(existing) } : {}),
        drifted: false,
      };
    }
    let dryRun: KubeObject;
    try {
      dryRun = await this.#kube.apply(p.body, {
        dryRun: true,
        force: true,
        fieldManager: this.fieldManager,
        ...sig(signal),
      });
    } catch (err) {
      const fields = immutableFields(err);
      if (fields && existing && (options.force || this.#forced(p, existing))) {
        return { entry: entryOf(p, 'created'), existing: strip(existing), drifted: true };
      }
      throw this.#dryRunError(p, err, fields);
    }
    const action: ChangeSetAction = !existing
      ? 'created'
      : hasDrifted(existing, dryRun)
        ? 'configured'
        : 'unchanged';
    const before = existing ? strip(existing) : undefined;
    const after = strip(dryRun);
    if (p.meta.kind === 'Secret' && p.meta.group === '') maskSecretData(before, after);
    return {
      entry: entryOf(p, action),
      ...(before ? { existing: before } : {}),
      dryRun: after,
      drifted: action !== 'unchanged',
    };
  }

  /**
   * Deletes objects (for prune), namespaced ones first and cluster definitions (CRDs, Namespaces) last, in
   * reverse apply order. Objects already gone count as `deleted`; objects without the inclusion labels or
   * with an exclusion label or annotation are `skipped`. Failures are collected: the thrown
   * {@link ApplyError} (`DeleteFailed`) names every failed object and carries the change set.
   */
  async deleteAll(objects: readonly KubeObject[], options: DeleteAllOptions = {}): Promise<ChangeSet> {
    const inclusions = options.inclusions ?? this.ownerLabels;
    const exclusions = options.exclusions ?? this.#pruneExclusions;
    const propagationPolicy = options.propagationPolicy ?? 'Background';
    const sorted = sortForApply(objects).reverse();
    const first = sorted.filter((o) => !isClusterDefinition(o));
    const last = sorted.filter((o) => isClusterDefinition(o));
    const errors: string[] = [];
    const one = async (o: KubeObject): Promise<ChangeSetEntry> => {
      const meta = objMetadataOf(o);
      const p: Prepared = {
        body: o,
        ref: refOf(o),
        meta,
        version: splitApiVersion(o.apiVersion).version,
        subject: formatSubject(meta),
      };
      let existing: KubeObject | undefined;
      try {
        existing = await this.#kube.tryGet(p.ref, sig(options.signal));
      } catch (err) {
        errors.push(`${p.subject} query failed: ${serverMessage(err)}`);
        return entryOf(p, 'unknown');
      }
      if (!existing) return entryOf(p, 'deleted');
      const labels = existing.metadata?.labels ?? {};
      if (Object.entries(inclusions).some(([k, v]) => labels[k] !== v)) return entryOf(p, 'skipped');
      if (anyInMetadata(existing, exclusions)) return entryOf(p, 'skipped');
      try {
        await this.#kube.delete(p.ref, { propagationPolicy, ...sig(options.signal) });
      } catch (err) {
        if (!isNotFound(err)) {
          errors.push(`${p.subject} delete failed: ${serverMessage(err)}`);
          return entryOf(p, 'unknown');
        }
      }
      return entryOf(p, 'deleted');
    };
    const entries = [
      ...(await mapLimit(first, this.#concurrency, one)),
      ...(await mapLimit(last, this.#concurrency, one)),
    ];
    const changeSet = new ChangeSet(entries);
    if (errors.length) {
      throw new ApplyError('DeleteFailed', `Delete failed: ${errors.join('; ')}`, { changeSet });
    }
    return changeSet;
  }

  /**
   * Waits until every object is gone from the cluster (for a `WaitForTermination` deletion policy), polling
   * every `intervalMs` (default 2 s) for at most `timeoutMs` (default 60 s). Throws {@link ApplyError}
   * (`TerminationTimeout`) naming the objects still there.
   */
  async waitForTermination(
    refs: readonly ObjectRef[],
    options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const deadline = this.#clock.now() + (options.timeoutMs ?? 60_000);
    let left = [...refs];
    for (;;) {
      const still = await mapLimit(left, this.#concurrency, (r) => this.#kube.tryGet(r, sig(options.signal)));
      left = left.filter((_, i) => still[i] !== undefined);
      if (left.length === 0) return;
      if (this.#clock.now() >= deadline) {
        const names = left.map((r) =>
          formatSubject({ kind: r.kind, namespace: r.namespace ?? '', name: r.name }),
        );
        throw new ApplyError(
          'TerminationTimeout',
          `Timeout waiting for termination of: [${names.join(', ')}]`,
        );
      }
      await sleep(Math.min(options.intervalMs ?? 2_000, Math.max(0, deadline - this.#clock.now())), {
        clock: this.#clock,
        ...sig(options.signal),
      });
    }
  }

  /**
   * Waits until every object is `Current` by kstatus rules (custom resources by their `Ready` condition),
   * polling every `intervalMs`. Resolves with the final statuses; throws {@link HealthCheckError} naming
   * the objects that failed (`Deployment/apps/podinfo status: 'Failed': …`) or were not ready in time.
   */
  waitForSet(refs: readonly ObjectRef[], options: WaitOptions = {}): Promise<ObjectStatus[]> {
    return waitForObjects(
      {
        kube: this.#kube,
        clock: this.#clock,
        computeStatus: this.#computeStatus,
        concurrency: this.#concurrency,
        ...(this.#watches ? { hub: this.#watches } : {}),
        known: (ref) => {
          // Used once: a later wait reads the object again.
          const key = seenKey(ref);
          const obj = this.#lastSeen.get(key);
          this.#lastSeen.delete(key);
          return obj;
        },
      },
      refs,
      {
        ...options,
        labelSelector: options.labelSelector ?? labelSelectorOf(this.ownerLabels),
      },
    );
  }

  /** Keeps an object's state for the next wait; a long-lived manager keeps the most recent few thousand. */
  #remember(ref: ObjectRef, obj: KubeObject): void {
    const key = seenKey(ref);
    this.#lastSeen.delete(key);
    this.#lastSeen.set(key, obj);
    if (this.#lastSeen.size > LAST_SEEN_LIMIT) {
      const oldest = this.#lastSeen.keys().next().value;
      if (oldest !== undefined) this.#lastSeen.delete(oldest);
    }
  }

  async #prepare(object: KubeObject, signal: AbortSignal | undefined): Promise<Prepared> {
    const name = object?.metadata?.name;
    if (!object?.apiVersion || !object.kind || !name) {
      const what = `${object?.kind || 'object'}${name ? `/${name}` : ''}`;
      throw new ApplyError(
        'InvalidObject',
        `Cannot apply ${what}: apiVersion, kind and metadata.name are required`,
      );
    }
    let namespaced: boolean;
    try {
      namespaced = (await this.#kube.mappingFor(object, signal)).namespaced;
    } catch (err) {
      const subject = formatSubject(objMetadataOf(object));
      throw new ApplyError('DryRunFailed', `${subject} dry-run failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const namespace = namespaced ? (object.metadata.namespace ?? '') : '';
    const meta: ObjMetadata = {
      namespace,
      name,
      group: splitApiVersion(object.apiVersion).group,
      kind: object.kind,
    };
    const subject = formatSubject(meta);
    if (namespaced && !namespace) {
      throw new ApplyError(
        'InvalidObject',
        `${subject} namespace not specified: a ${object.kind} is namespaced`,
      );
    }
    const metadata: ObjectMeta = {};
    for (const [k, v] of Object.entries(object.metadata)) {
      if (!SERVER_META.has(k) && v !== null && v !== undefined) (metadata as Record<string, unknown>)[k] = v;
    }
    if (!namespaced) delete metadata.namespace;
    if (Object.keys(this.ownerLabels).length) metadata.labels = { ...metadata.labels, ...this.ownerLabels };
    const { status: _status, ...rest } = object;
    const body = { ...rest, metadata } as KubeObject;
    const ref: ObjectRef = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name,
      ...(namespace ? { namespace } : {}),
    };
    return { body, ref, meta, version: splitApiVersion(object.apiVersion).version, subject };
  }

  async #get(p: Prepared, signal: AbortSignal | undefined): Promise<KubeObject | undefined> {
    try {
      return await this.#kube.tryGet(p.ref, sig(signal));
    } catch (err) {
      throw new ApplyError('ApplyFailed', `${p.subject} query failed: ${serverMessage(err)}`, {
        cause: err,
      });
    }
  }

  #skip(p: Prepared, existing: KubeObject | undefined): boolean {
    if (anyInMetadata(p.body, this.#exclusions) || anyInMetadata(existing, this.#exclusions)) return true;
    return existing !== undefined && anyInMetadata(p.body, this.#ifNotPresent);
  }

  #forced(p: Prepared, existing: KubeObject | undefined): boolean {
    return anyInMetadata(p.body, this.#forceSelector) || anyInMetadata(existing, this.#forceSelector);
  }

  async #plan(object: KubeObject, options: ApplyOptions, known: Set<string> | undefined): Promise<Plan> {
    const signal = options.signal;
    const prepared = await this.#prepare(object, signal);
    if (
      known &&
      !known.has(formatObjectId(prepared.meta)) &&
      !anyInMetadata(prepared.body, this.#ifNotPresent) &&
      !anyInMetadata(prepared.body, this.#exclusions)
    ) {
      return { prepared, action: 'created', apply: true, blind: true };
    }
    let existing = await this.#get(prepared, signal);
    if (this.#skip(prepared, existing)) return { prepared, action: 'skipped', apply: false };
    if (existing) this.#remember(prepared.ref, existing);
    // A new object needs no dry-run: the apply itself validates it, and there is nothing to compare.
    if (!existing) return { prepared, action: 'created', apply: true };

    let patched = false;
    if (
      options.cleanup !== false &&
      !anyInMetadata(prepared.body, this.#mergeSelector) &&
      !anyInMetadata(existing, this.#mergeSelector)
    ) {
      const cleaned = await this.#cleanupMetadata(prepared, existing, signal);
      if (cleaned) {
        // A server that ignored the patch changed nothing: that alone is no reason to apply.
        patched = cleaned.metadata?.resourceVersion !== existing.metadata?.resourceVersion;
        existing = cleaned;
      }
    }

    let dryRun: KubeObject;
    try {
      dryRun = await this.#kube.apply(prepared.body, {
        dryRun: true,
        force: true,
        fieldManager: this.fieldManager,
        ...sig(signal),
      });
    } catch (err) {
      const fields = immutableFields(err);
      if (fields && (options.force || this.#forced(prepared, existing))) {
        await this.#recreate(prepared, existing, fields, options);
        return { prepared, action: 'created', apply: true };
      }
      throw this.#dryRunError(prepared, err, fields);
    }
    if (patched || hasDrifted(existing, dryRun)) return { prepared, action: 'configured', apply: true };
    return { prepared, action: 'unchanged', apply: false };
  }

  /** Applies a planned object; returns the plan with its final action. */
  async #commit(plan: Plan, options: ApplyOptions): Promise<Plan> {
    const p = plan.prepared;
    let result: KubeObject;
    try {
      result = await this.#kube.apply(p.body, {
        force: true,
        fieldManager: this.fieldManager,
        ...sig(options.signal),
      });
    } catch (err) {
      const fields = immutableFields(err);
      // An object taken for new existed after all, with a change to an immutable field: plan it properly.
      if (fields && plan.blind) {
        const again = await this.#plan(p.body, options, undefined);
        return again.apply ? this.#commit(again, options) : again;
      }
      if (fields) throw this.#dryRunError(p, err, fields);
      throw new ApplyError('ApplyFailed', `${p.subject} apply failed: ${serverMessage(err)}`, { cause: err });
    }
    this.#remember(p.ref, result);
    if (!plan.blind) return plan;
    const managers = (result.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
    const onlyOurs = managers.every((m) => m.manager === this.fieldManager);
    return { ...plan, action: onlyOurs ? 'created' : 'configured' };
  }

  #dryRunError(p: Prepared, err: unknown, fields: string[] | undefined): ApplyError {
    if (fields) {
      const named = fields.length ? fields.join(', ') : 'an immutable field';
      return new ImmutableFieldError(
        `${p.subject} dry-run failed (Invalid): ${named} is immutable: recreate the object by enabling force ` +
          `(spec.force: true or the annotation ${this.group}/force: Enabled): ${serverMessage(err)}`,
        fields,
        { cause: err },
      );
    }
    const api = apiErrorOf(err);
    const reason = api?.causes.some((c) => c.reason === 'FieldManagerConflict')
      ? 'FieldManagerConflict'
      : api?.reason;
    return new ApplyError(
      'DryRunFailed',
      `${p.subject} dry-run failed${reason ? ` (${reason})` : ''}: ${serverMessage(err)}`,
      {
        cause: err,
      },
    );
  }

  /** Deletes an object whose immutable fields changed and waits until it is gone. */
  async #recreate(p: Prepared, existing: KubeObject, fields: string[], options: ApplyOptions): Promise<void> {
    this.#log.info({ object: p.subject, fields }, 'immutable field changed, recreating the object');
    const signal = options.signal;
    try {
      await this.#kube.delete(p.ref, {
        propagationPolicy: 'Background',
        ...(existing.metadata.uid ? { preconditions: { uid: existing.metadata.uid } } : {}),
        ...sig(signal),
      });
    } catch (err) {
      if (!isNotFound(err)) {
        throw new ApplyError(
          'ApplyFailed',
          `${p.subject} immutable field detected, failed to delete object: ${serverMessage(err)}`,
          { cause: err },
        );
      }
    }
    const deadline = this.#clock.now() + (options.waitTimeoutMs ?? 60_000);
    const interval = Math.min(options.waitIntervalMs ?? 2_000, 250);
    for (;;) {
      const still = await this.#get(p, signal);
      if (!still || still.metadata.uid !== existing.metadata.uid) return;
      if (this.#clock.now() >= deadline) {
        throw new ApplyError(
          'ApplyFailed',
          `${p.subject} immutable field detected, failed to wait for object to be deleted: it still exists`,
        );
      }
      await sleep(interval, { clock: this.#clock, ...sig(signal) });
    }
  }

  /**
   * Flux's Override cleanup: hands the fields of `kubectl` and `before-first-apply` managers (and Update
   * entries of this manager) to this manager's Apply entry and removes kubectl's last-applied annotation.
   * Returns the patched object, or `undefined` when there was nothing to clean.
   */
  async #cleanupMetadata(
    p: Prepared,
    existing: KubeObject,
    signal: AbortSignal | undefined,
  ): Promise<KubeObject | undefined> {
    const ops: unknown[] = [];
    const annotations = existing.metadata?.annotations ?? {};
    for (const key of [LAST_APPLIED, `${this.group}/checksum`, 'fluxcd.io/sync-checksum']) {
      if (key in annotations) ops.push({ op: 'remove', path: `/metadata/annotations/${escapePointer(key)}` });
    }
    if ('fluxcd.io/sync-gc-mark' in (existing.metadata?.labels ?? {})) {
      ops.push({ op: 'remove', path: `/metadata/labels/${escapePointer('fluxcd.io/sync-gc-mark')}` });
    }
    const managedFields = this.#replaceManagers(
      (existing.metadata?.managedFields ?? []) as ManagedFieldsEntry[],
    );
    if (managedFields) ops.push({ op: 'replace', path: '/metadata/managedFields', value: managedFields });
    if (ops.length === 0) return undefined;
    try {
      return await this.#kube.patch(p.ref, ops, {
        type: 'json',
        fieldManager: this.fieldManager,
        ...sig(signal),
      });
    } catch (err) {
      throw new ApplyError(
        'ApplyFailed',
        `${p.subject} metadata.managedFields cleanup failed: ${serverMessage(err)}`,
        { cause: err },
      );
    }
  }

  #replaceManagers(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] | undefined {
    const matches = (e: ManagedFieldsEntry) =>
      !e.subresource &&
      ((e.operation === 'Apply' && e.manager?.startsWith('kubectl')) ||
        (e.operation === 'Update' &&
          (e.manager?.startsWith('kubectl') ||
            e.manager?.startsWith('before-first-apply') ||
            e.manager?.startsWith(this.fieldManager))));
    let own = entries.find((e) => e.manager === this.fieldManager && e.operation === 'Apply');
    const kept: ManagedFieldsEntry[] = [];
    let edited = false;
    for (const e of entries) {
      if (e === own) continue;
      if (!matches(e)) {
        kept.push(e);
        continue;
      }
      edited = true;
      own = own
        ? { ...own, fieldsV1: unionFields(own.fieldsV1 ?? {}, e.fieldsV1 ?? {}) }
        : { ...e, manager: this.fieldManager, operation: 'Apply' };
    }
    if (!edited || !own) return undefined;
    return [...kept, own];
  }
}

/** Flux's cluster definitions: CRDs, Namespaces and ClusterRoles. */
function isClusterDefinition(o: KubeObject): boolean {
  const group = splitApiVersion(o.apiVersion ?? '').group;
  return (
    (o.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') ||
    (o.kind === 'Namespace' && o.apiVersion === 'v1') ||
    (o.kind === 'ClusterRole' && group === 'rbac.authorization.k8s.io')
  );
}

function inventoryIds(inventory: Inventory | undefined): Set<string> | undefined {
  return inventory ? new Set(inventory.entries.map((e) => e.id)) : undefined;
}

function sortForApply(objects: readonly KubeObject[]): KubeObject[] {
  const keyed = objects.map((o) => [objMetadataOf(o), o] as const);
  keyed.sort((a, b) => compareObjMetadata(a[0], b[0]));
  return keyed.map(([, o]) => o);
}

function entryOf(p: Prepared, action: ChangeSetAction): ChangeSetEntry {
  return { objMetadata: p.meta, version: p.version, subject: p.subject, action };
}

function refOf(o: KubeObject): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata?.name ?? '',
    ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
  };
}

/**
 * The immutable fields an error names, when the server refused a change to immutable fields (422 `Invalid`
 * with a cause or message saying so); `undefined` for any other error.
 */
function immutableFields(err: unknown): string[] | undefined {
  const api = apiErrorOf(err);
  if (api?.status !== 422) return undefined;
  const pattern = /is immutable|immutable field|field is immutable/i;
  const causes = api.causes.filter((c) => pattern.test(c.message ?? ''));
  if (causes.length === 0 && !pattern.test(api.message)) return undefined;
  return [...new Set(causes.map((c) => c.field).filter((f): f is string => !!f))];
}

/** The server's part of a client error message (after `Cannot apply Kind/ns/name: `). */
function serverMessage(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const m = /^Cannot \w+ [^:]+: /.exec(message);
  return m ? message.slice(m[0].length) : message;
}

/** Attaches the change set done so far to an error (replacing a narrower one); abort errors pass as they are. */
function withChangeSet(err: unknown, changeSet: ChangeSet): unknown {
  if (err instanceof ApplyError) {
    err.changeSet = changeSet;
    return err;
  }
  if ((err as { name?: string })?.name === 'AbortError') return err;
  return new ApplyError('ApplyFailed', (err as Error)?.message ?? String(err), { cause: err, changeSet });
}

function strip(obj: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The union of two `fieldsV1` tries. */
function unionFields(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && typeof prev === 'object' && v && typeof v === 'object'
        ? unionFields(prev as Record<string, unknown>, v as Record<string, unknown>)
        : (prev ?? v);
  }
  return out;
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** How many last-seen states a {@link ResourceManager} keeps for health waits. */
const LAST_SEEN_LIMIT = 4096;

/** The key of an object in {@link ResourceManager}'s last-seen states: its group, kind, namespace and name. */
function seenKey(ref: ObjectRef): string {
  const slash = ref.apiVersion.indexOf('/');
  return `${slash < 0 ? '' : ref.apiVersion.slice(0, slash)}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

/** `k1=v1,k2=v2` for a label map; `undefined` when it is empty. */
function labelSelectorOf(labels: Readonly<Record<string, string>>): string | undefined {
  const entries = Object.entries(labels);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}
