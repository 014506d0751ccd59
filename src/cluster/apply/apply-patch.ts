import type { TypeNode } from '../../schema/index.js';
import { ApplyConflictError, ApplyRequestError, type FieldConflict } from './errors.js';
import { FieldSet, goJSON, pathToString } from './field-set.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  type ManagedFieldsEntry,
  type Manager,
  managerId,
  UNOWNED_FIELDS,
} from './managed-fields.js';
import { structureOf } from './structure.js';
import {
  compare,
  deepEqual,
  ensureNamedFieldsAreMembers,
  merge,
  removeItems,
  StructureError,
  toFieldSet,
} from './structured.js';

type Obj = Record<string, unknown>;

/** Options of {@link applyPatch}. */
export interface ApplyOptions {
  /** The `fieldManager` of the request (required for apply). */
  manager: string;
  /** `force=true`: take ownership of conflicting fields instead of failing. */
  force: boolean;
  /** The type of the object (the resource type's `type`). */
  type: TypeNode;
  /** The API version of the request, e.g. `apps/v1`; recorded in the manager's entry. */
  apiVersion: string;
  /** The clock for managed fields times. */
  now: () => Date;
  /** The subresource the request addresses (`status`, `scale`), if any. */
  subresource?: string;
  /**
   * Fields the endpoint resets, which nobody may own through it: `status` on the main resource of a type
   * with a status subresource, everything but `status` on `/status`. See {@link resetFields}.
   */
  ignoredFields?: FieldSet;
}

/** The outcome of {@link applyPatch}. */
export interface ApplyResult {
  /** The object to store, with `metadata.managedFields`; the live object itself when nothing changed. */
  object: Obj;
  /** `false` when the apply changes neither the object nor its managed fields: store nothing, emit no event. */
  changed: boolean;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A shallow copy without `metadata.managedFields`. */
function withoutManagedFields(obj: Obj): Obj {
  const meta = obj.metadata;
  if (!isObj(meta) || !('managedFields' in meta)) return obj;
  const { managedFields: _, ...rest } = meta;
  return { ...obj, metadata: rest };
}

function withManagedFields(obj: Obj, entries: ManagedFieldsEntry[]): Obj {
  const meta = isObj(obj.metadata) ? { ...obj.metadata } : {};
  if (entries.length > 0) meta.managedFields = entries;
  else delete meta.managedFields;
  return { ...obj, metadata: meta };
}

function managedFieldsOf(obj: Obj | undefined): unknown {
  const meta = obj?.metadata;
  return isObj(meta) ? meta.managedFields : undefined;
}

function decodeOrEmpty(entries: unknown): Map<string, Manager> {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

function ownable(set: FieldSet, ignored: FieldSet | undefined): FieldSet {
  const s = set.difference(UNOWNED_FIELDS);
  return ignored ? s.recursiveDifference(ignored) : s;
}

function invalid(err: unknown, what: string): never {
  if (err instanceof StructureError) {
    throw new ApplyRequestError(400, 'BadRequest', `Failed to ${what}: ${err.message}`, undefined, {
      cause: err,
    });
  }
  throw err;
}

/**
 * Server-side apply of `applied` (the decoded `application/apply-patch+yaml` body) onto `live` (the
 * stored object, or `undefined` to create): merges the configuration by the type's structure, removes
 * fields this manager applied before and no longer applies unless another manager owns them, checks
 * conflicts with other managers (throws {@link ApplyConflictError} unless `force`), and records the
 * manager's Apply entry in `metadata.managedFields`.
 *
 * When the result equals the live object (managed fields included), returns the live object with
 * `changed: false`: the caller must then write nothing and keep the resourceVersion.
 */
export function applyPatch(live: object | undefined, applied: object, opts: ApplyOptions): ApplyResult {
  const s = structureOf(opts.type);
  const liveObj = live as Obj | undefined;
  const liveBody = liveObj ? withoutManagedFields(liveObj) : {};
  const config = withoutManagedFields(applied as Obj);
  const ignored = opts.ignoredFields;
  const managers = decodeOrEmpty(managedFieldsOf(liveObj));
  const nowTime = formatTime(opts.now());

  let merged: Obj;
  let newSet: FieldSet;
  let cmp: ReturnType<typeof compare>;
  const id = managerId({
    manager: opts.manager || 'unknown',
    operation: 'Apply',
    apiVersion: opts.apiVersion,
    ...sub(opts),
  });
  const last = managers.get(id);
  try {
    // Fields of an object that predates managed fields belong to a synthetic Update manager.
    if (managers.size === 0 && liveObj) {
      const before = compare({}, liveBody, s);
      const set = ownable(before.added.union(before.modified), ignored);
      if (!set.isEmpty()) {
        const m: Manager = {
          manager: 'before-first-apply',
          operation: 'Update',
          apiVersion: opts.apiVersion,
          set,
        };
        m.time = nowTime;
        managers.set(managerId(m), m);
      }
    }
    merged = (merge(liveBody, config, s) as Obj | undefined) ?? {};
    newSet = ownable(toFieldSet(config, s, true), ignored);
    const self: Manager = {
      manager: opts.manager || 'unknown',
      operation: 'Apply',
      apiVersion: opts.apiVersion,
      set: newSet,
    };
    if (opts.subresource) self.subresource = opts.subresource;
    if (last?.time) self.time = last.time;
    managers.set(id, self);

    if (last && !last.set.isEmpty() && !last.set.equals(newSet)) {
      let owned = new FieldSet();
      for (const m of managers.values()) owned = owned.union(m.set);
      const stale = ensureNamedFieldsAreMembers(last.set, s).difference(
        ensureNamedFieldsAreMembers(owned, s),
      );
      merged = (removeItems(merged, stale, s) as Obj | undefined) ?? {};
    }
    cmp = compare(liveBody, merged, s);
  } catch (err) {
    invalid(err, 'apply the configuration');
  }

  const changedFields = ignored
    ? cmp.modified.union(cmp.added).recursiveDifference(ignored)
    : cmp.modified.union(cmp.added);
  const removed = ignored ? cmp.removed.recursiveDifference(ignored) : cmp.removed;
  const conflicts: FieldConflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [mid, m] of managers) {
    if (mid === id) continue;
    const c = m.set.intersection(changedFields);
    if (c.isEmpty()) continue;
    taken.set(mid, c);
    for (const p of c.paths()) {
      const conflict: FieldConflict = { manager: m.manager, operation: m.operation, field: pathToString(p) };
      if (m.operation === 'Update') conflict.apiVersion = m.apiVersion;
      if (m.subresource) conflict.subresource = m.subresource;
      conflicts.push(conflict);
    }
  }
  if (conflicts.length > 0 && !opts.force) {
    // kubectl moving from client-side to server-side apply may take the fields its last-applied
    // annotation says it applied, as long as they still hold the values it applied.
    const allowed =
      opts.manager === 'kubectl' ? allowedByLastApplied(liveBody, s, opts.apiVersion) : undefined;
    const remaining = allowed ? conflicts.filter((c) => !allowed.has(c.field)) : conflicts;
    if (remaining.length > 0) throw new ApplyConflictError(remaining);
  }
  for (const [mid, m] of managers) {
    let set = m.set;
    if (mid !== id) {
      const c = taken.get(mid);
      if (c) set = set.difference(c);
      if (!removed.isEmpty()) set = set.difference(removed);
    }
    if (set.isEmpty()) managers.delete(mid);
    else if (set !== m.set) managers.set(mid, { ...m, set });
  }

  if (opts.manager === 'kubectl') merged = withLastApplied(merged, config);
  merged = resetServerFields(merged, liveObj ? liveBody : undefined, ignored);
  const objectChanged = !liveObj || !deepEqual(liveBody, merged);
  const self = managers.get(id);
  if (self && (objectChanged || !last || !last.set.equals(newSet))) self.time = nowTime;
  const entries = encodeManagedFields(managers.values());
  const liveEntries = managedFieldsOf(liveObj) ?? [];
  if (liveObj && !objectChanged && deepEqual(entries, liveEntries))
    return { object: liveObj, changed: false };
  return { object: withManagedFields(merged, entries), changed: true };
}

/** Metadata only the server sets: an applied value (often `creationTimestamp: null`) never sticks. */
const SERVER_METADATA = [
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/**
 * What the server's write path does after the merge, so that `changed` tells the truth: server-set
 * metadata keeps its live value, and top-level fields the endpoint resets keep theirs (absent on create).
 */
function resetServerFields(merged: Obj, live: Obj | undefined, ignored: FieldSet | undefined): Obj {
  let out = merged;
  const meta = merged.metadata;
  if (isObj(meta)) {
    const liveMeta = live && isObj(live.metadata) ? live.metadata : {};
    let copy: Obj | undefined;
    for (const k of SERVER_METADATA) {
      if (!(k in meta) || meta[k] === liveMeta[k]) continue;
      copy ??= { ...meta };
      if (live && liveMeta[k] !== undefined) copy[k] = liveMeta[k];
      else if (meta[k] === null || live) delete copy[k];
    }
    if (copy) out = { ...out, metadata: copy };
  }
  if (ignored) {
    for (const pe of ignored.members) {
      if (!pe.startsWith('f:')) continue;
      const k = pe.slice(2);
      const want = live?.[k];
      if (deepEqual(out[k], want)) continue;
      out = { ...out };
      if (want === undefined) delete out[k];
      else out[k] = want;
    }
  }
  return out;
}

/** The annotation client-side `kubectl apply` keeps its last configuration in. */
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

function annotationsOf(obj: Obj): Obj | undefined {
  const meta = obj.metadata;
  return isObj(meta) && isObj(meta.annotations) ? meta.annotations : undefined;
}

/** The conflicting fields (printed paths) kubectl may take: applied last time and unchanged since. */
function allowedByLastApplied(
  live: Obj,
  s: ReturnType<typeof structureOf>,
  apiVersion: string,
): Set<string> | undefined {
  const text = annotationsOf(live)?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const last = JSON.parse(text) as unknown;
    if (!isObj(last) || last.apiVersion !== apiVersion) return undefined;
    const c = compare(last, live, s);
    const set = toFieldSet(last, s).difference(c.modified).difference(c.added).difference(c.removed);
    return new Set(set.toStrings());
  } catch {
    return undefined;
  }
}

function sortedClone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedClone);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = sortedClone(v[k]);
  return out;
}

/** Keeps an existing last-applied annotation in step with what kubectl applies server-side, as the server does. */
function withLastApplied(merged: Obj, config: Obj): Obj {
  const annotations = annotationsOf(merged);
  const current = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof current !== 'string' || current === '') return merged;
  const configAnnotations = annotationsOf(config);
  let lastConfig = config;
  if (configAnnotations && LAST_APPLIED_ANNOTATION in configAnnotations) {
    const { [LAST_APPLIED_ANNOTATION]: _, ...rest } = configAnnotations;
    lastConfig = { ...config, metadata: { ...(config.metadata as Obj), annotations: rest } };
  }
  const value = `${goJSON(sortedClone(lastConfig))}\n`;
  if (value === current) return merged;
  const meta = merged.metadata as Obj;
  return {
    ...merged,
    metadata: { ...meta, annotations: { ...annotations, [LAST_APPLIED_ANNOTATION]: value } },
  };
}

function sub(opts: { subresource?: string }): { subresource?: string } {
  return opts.subresource ? { subresource: opts.subresource } : {};
}

/** Options of {@link updateManagedFields}. */
export interface UpdateOptions {
  /** The `fieldManager` of the request, or the user agent's product name (see `managerFromUserAgent`). */
  manager: string;
  operation: 'Update';
  type: TypeNode;
  /** The API version of the request. */
  apiVersion: string;
  now: () => Date;
  subresource?: string;
  /** Fields the endpoint resets; see {@link ApplyOptions.ignoredFields}. */
  ignoredFields?: FieldSet;
}

/**
 * Records an Update operation (create, PUT, non-apply PATCH) in managed fields: the manager's Update
 * entry takes ownership of every field the request added or changed, other managers lose those fields
 * and every removed one; nothing conflicts. `newObj` is the object about to be stored; returns it with
 * `metadata.managedFields` set.
 *
 * As on the server, a request may replace managed fields by sending valid entries, or clear them with
 * `managedFields: []`; requests to a subresource cannot. Objects stored without managed fields stay
 * without them until the next apply.
 */
export function updateManagedFields(oldObj: object | undefined, newObj: object, opts: UpdateOptions): Obj {
  const s = structureOf(opts.type);
  const oldO = oldObj as Obj | undefined;
  const newO = newObj as Obj;
  const newEntries = managedFieldsOf(newO);
  let managers: Map<string, Manager>;
  if (opts.subresource) {
    managers = decodeOrEmpty(managedFieldsOf(oldO));
  } else if (isReset(newEntries)) {
    managers = new Map();
  } else {
    let fromRequest: Map<string, Manager> | undefined;
    try {
      fromRequest = decodeManagedFields(newEntries);
    } catch {
      fromRequest = undefined;
    }
    managers = fromRequest && fromRequest.size > 0 ? fromRequest : decodeOrEmpty(managedFieldsOf(oldO));
  }
  const newBody = withoutManagedFields(newO);
  if (managers.size === 0 && oldO) return withManagedFields(newBody, []);

  const oldBody = oldO ? withoutManagedFields(oldO) : {};
  let cmp: ReturnType<typeof compare>;
  try {
    cmp = compare(oldBody, newBody, s);
  } catch {
    // As the server does, a failure to track fields keeps the previous managed fields.
    return withManagedFields(newBody, (managedFieldsOf(oldO) as ManagedFieldsEntry[] | undefined) ?? []);
  }
  const ignored = opts.ignoredFields;
  const changed = cmp.modified.union(cmp.added);
  const changedOwned = ignored ? changed.recursiveDifference(ignored) : changed;
  const removed = ignored ? cmp.removed.recursiveDifference(ignored) : cmp.removed;
  for (const [mid, m] of managers) {
    const set = m.set.difference(changedOwned).difference(removed);
    if (set.isEmpty()) managers.delete(mid);
    else managers.set(mid, { ...m, set });
  }
  const current = ownable(changed, ignored);
  if (!current.isEmpty()) {
    const self: Manager = {
      manager: opts.manager || 'unknown',
      operation: 'Update',
      apiVersion: opts.apiVersion,
      set: current,
    };
    if (opts.subresource) self.subresource = opts.subresource;
    const id = managerId(self);
    const previous = managers.get(id);
    if (previous) self.set = current.union(previous.set);
    self.time = formatTime(opts.now());
    managers.set(id, self);
  }
  capUpdateManagers(managers);
  return withManagedFields(newBody, encodeManagedFields(managers.values()));
}

function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObj(entries[0]) && Object.keys(entries[0]).length === 0;
}
