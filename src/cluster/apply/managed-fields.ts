import { decodeFieldsV1, encodeFieldsV1, FieldSet, makePath } from './field-set.js';

/** One entry of `metadata.managedFields`, as the API server writes it. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  /** RFC 3339, second precision. */
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A decoded managed fields entry: who owns which fields. */
export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/**
 * The identity of a manager, as the API server builds it: the JSON of `{manager, operation, apiVersion,
 * subresource}`, where Apply entries leave out the API version (one Apply entry per manager and
 * subresource, one Update entry per manager, API version and subresource).
 */
export function managerId(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = {};
  if (m.manager) id.manager = m.manager;
  id.operation = m.operation;
  if (m.operation !== 'Apply' && m.apiVersion) id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

/** Reads `metadata.managedFields`; throws on malformed entries, as the server does. */
export function decodeManagedFields(entries: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('metadata.managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object') throw new Error(`managed fields entry ${i} must be an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update')
      throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1')
      throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const m: Manager = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      set: decodeFieldsV1(e.fieldsV1),
    };
    if (e.subresource) m.subresource = e.subresource;
    if (e.time) m.time = e.time;
    out.set(managerId(m), m);
  });
  return out;
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const t = Date.parse(time);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/** Writes managers as `metadata.managedFields` in the server's order: Apply before Update, then by time, manager, version, subresource. */
export function encodeManagedFields(managers: Iterable<Manager>): ManagedFieldsEntry[] {
  const list = [...managers].filter((m) => !m.set.isEmpty());
  list.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = seconds(p.time);
    const qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    const pr = p.subresource ?? '';
    const qr = q.subresource ?? '';
    return pr < qr ? -1 : pr > qr ? 1 : 0;
  });
  return list.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = encodeFieldsV1(m.set);
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

/** Formats a time the way `metav1.Time` serialises: RFC 3339 in UTC with whole seconds. */
export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/**
 * Fields no manager owns: the type's identity, the object's name and namespace, and the fields the
 * server sets (uid, resourceVersion, generation, creationTimestamp, managedFields).
 */
export const UNOWNED_FIELDS: FieldSet = FieldSet.of(
  makePath('apiVersion'),
  makePath('kind'),
  makePath('metadata'),
  makePath('metadata', 'name'),
  makePath('metadata', 'namespace'),
  makePath('metadata', 'creationTimestamp'),
  makePath('metadata', 'selfLink'),
  makePath('metadata', 'uid'),
  makePath('metadata', 'clusterName'),
  makePath('metadata', 'generation'),
  makePath('metadata', 'managedFields'),
  makePath('metadata', 'resourceVersion'),
);

/** The most Update entries an object keeps; older ones merge into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;

/** Merges the oldest Update entries into one `ancient-changes` entry per API version once there are too many. */
export function capUpdateManagers(managers: Map<string, Manager>, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ia, a], [ib, b]) => {
    const d = seconds(a.time) - seconds(b.time);
    return d !== 0 ? d : ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  let length = updaters.length;
  const firstByVersion = new Map<string, string>();
  for (const [id, m] of updaters) {
    if (length <= max) break;
    const bucket: Manager = {
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: m.apiVersion,
      set: m.set,
    };
    const bucketId = managerId(bucket);
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) {
      firstByVersion.set(m.apiVersion, id);
      continue;
    }
    let existing = managers.get(bucketId);
    if (!existing) {
      const firstManager = managers.get(first)!;
      managers.delete(first);
      existing = { ...bucket, set: firstManager.set };
      if (firstManager.time) existing.time = firstManager.time;
    }
    const merged: Manager = { ...existing, set: m.set.union(existing.set) };
    if (m.time) merged.time = m.time;
    managers.delete(id);
    managers.set(bucketId, merged);
    length--;
  }
}
