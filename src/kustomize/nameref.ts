import { isObject, type JsonObject } from '../patch/index.js';
import { KustomizeError } from './errors.js';
import { type FieldSpec, type Gvk, specSelects, visitFields } from './field-spec.js';
import { effectiveNamespace, formatId, type ResId, type Resource, splitApiVersion } from './resource.js';

/** One name reference rule: objects of `gvk` are referred to by the fields in `referrers`. */
export interface NameReference {
  gvk: Gvk;
  referrers: FieldSpec[];
}

function selects(target: Gvk, id: ResId): boolean {
  return specSelects(target, id);
}

/** Whether the shorter list is the tail of the longer one; an empty list matches only an empty one. */
function sameEndingSubarray(a: string[], b: string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return long.length === 0;
  const diff = long.length - short.length;
  for (let i = short.length - 1; i >= 0; i--) if (long[i + diff] !== short[i]) return false;
  return true;
}

function affixesEqual(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  if (allowEmpty) {
    const pe = r.prefixes.length === 0 || o.prefixes.length === 0;
    const se = r.suffixes.length === 0 || o.suffixes.length === 0;
    return (
      (pe || sameEndingSubarray(r.prefixes, o.prefixes)) && (se || sameEndingSubarray(r.suffixes, o.suffixes))
    );
  }
  // Not an exact comparison: kustomize accepts one affix list ending the other here too.
  return sameEndingSubarray(r.prefixes, o.prefixes) && sameEndingSubarray(r.suffixes, o.suffixes);
}

/** The resources a referrer may point at: same namespace, cluster-scoped, or a RoleBinding's subjects. */
function couldBeReferenced(referrer: Resource, all: Resource[]): Resource[] {
  if (referrer.clusterScoped()) return all;
  const ns = effectiveNamespace(referrer.namespace);
  const bindingNs = new Set<string>();
  if (referrer.kind === 'RoleBinding' && Array.isArray(referrer.obj.subjects)) {
    for (const s of referrer.obj.subjects) {
      if (isObject(s) && s.kind === 'ServiceAccount' && typeof s.namespace === 'string')
        bindingNs.add(s.namespace);
    }
  }
  return all.filter(
    (t) => t.clusterScoped() || effectiveNamespace(t.namespace) === ns || bindingNs.has(t.namespace),
  );
}

function selectReferral(
  oldName: string,
  candidates: Resource[],
  target: Gvk,
  referrer: Resource,
  fs: FieldSpec,
  identical: (rs: Resource[]) => boolean,
): Resource | undefined {
  // Only resources that were renamed, moved or re-kinded are candidates (kustomize's PrevIds): a
  // reference to a resource that kept its id needs no update, and one that did move wins over it.
  let c = candidates.filter((r) => r.prevIds.some((id) => id.name === oldName));
  c = c.filter((r) => r.prevIds.some((id) => selects(target, id)));
  if (fs.path.endsWith('roleRef/name')) {
    const rr = referrer.obj.roleRef;
    if (isObject(rr) && typeof rr.apiGroup === 'string' && typeof rr.kind === 'string') {
      const g: Gvk = { group: rr.apiGroup, version: '', kind: rr.kind };
      c = c.filter((r) => r.prevIds.some((id) => selects(g, id)));
    }
  }
  if (!referrer.clusterScoped()) {
    const ns = effectiveNamespace(referrer.namespace);
    c = c.filter(
      (r) => r.clusterScoped() || r.kind === 'ServiceAccount' || effectiveNamespace(r.namespace) === ns,
    );
  }
  if (c.length === 1) return c[0];
  c = c.filter((r) => affixesEqual(r, referrer, true));
  if (c.length > 1) c = c.filter((r) => affixesEqual(r, referrer, false));
  if (c.length === 1) return c[0];
  if (c.length === 0) return undefined;
  if (identical(c)) return c[0];
  throw new KustomizeError(
    'KustomizeResolve',
    `Name reference ${oldName} in ${formatId(referrer.curId())} (${fs.path}) is ambiguous: it could be ${c
      .map((r) => formatId(r.curId()))
      .join(', ')}`,
  );
}

/** Updates the fields that refer to other resources by name after those resources were renamed. */
export function fixNameReferences(resources: Resource[], refs: NameReference[]): void {
  for (const r of resources) if (r.kind === 'RoleBinding') checkSubjectNamespaces(r);
  const byKind = new Map<string, Resource[]>();
  for (const r of resources) {
    for (const id of [...r.previousIds(), r.curId()]) {
      const l = byKind.get(id.kind) ?? [];
      if (!l.includes(r)) l.push(r);
      byKind.set(id.kind, l);
    }
  }
  // Original ids do not change while references are fixed: read each once.
  const orgIds = resources.map((r) => r.orgId);
  for (const ref of refs) {
    const targets = byKind.get(ref.gvk.kind);
    if (!targets || targets.length === 0) continue;
    for (const fs of ref.referrers) {
      // The callbacks are made once per field spec and read the referrer being visited from here: this
      // loop runs for every resource a spec selects, mostly before it is optimized.
      let referrer: Resource = resources[0]!;
      let candidates: Resource[] | undefined;
      const pool = (): Resource[] => {
        candidates ??= couldBeReferenced(referrer, targets);
        return candidates;
      };
      const setScalar = (holder: JsonObject | unknown[], k: string | number, name: string): void => {
        const r = selectReferral(name, pool(), ref.gvk, referrer, fs, allSameName);
        if (r && r.name !== name) (holder as Record<string | number, unknown>)[k] = r.name;
      };
      const setMap = (m: JsonObject): void => {
        if (typeof m.name !== 'string') return;
        let cands = pool();
        if (typeof m.namespace === 'string') {
          const ns = effectiveNamespace(m.namespace);
          const byOrg = cands.filter((r) => effectiveNamespace(r.orgId.namespace) === ns);
          cands = byOrg.length > 0 ? byOrg : cands.filter((r) => effectiveNamespace(r.namespace) === ns);
        }
        const r = selectReferral(m.name, cands, ref.gvk, referrer, fs, allSameNameAndNs);
        if (!r) return;
        if (r.name === m.name && r.namespace === '') return;
        m.name = r.name;
        if (r.namespace !== '') m.namespace = r.namespace;
      };
      const visit = (parent: JsonObject, key: string): void => {
        const v = parent[key];
        if (v === undefined || v === null) return;
        if (typeof v === 'string') setScalar(parent, key, v);
        else if (isObject(v)) setMap(v);
        else if (Array.isArray(v)) {
          v.forEach((x, i) => {
            if (typeof x === 'string') setScalar(v, i, x);
            else if (isObject(x)) setMap(x);
          });
        }
      };
      for (let i = 0; i < resources.length; i++) {
        if (!specSelects(fs, orgIds[i]!)) continue;
        referrer = resources[i]!;
        candidates = undefined;
        visitFields(referrer.obj, fs.path, false, visit);
      }
    }
  }
}

/**
 * Rejects a RoleBinding whose ServiceAccount subject has a `namespace` key that is not a string (for
 * example left blank), as kustomize does before it looks for the accounts the binding refers to.
 */
function checkSubjectNamespaces(binding: Resource): void {
  const subjects = binding.obj.subjects;
  if (!Array.isArray(subjects)) return;
  for (const s of subjects) {
    if (!isObject(s) || s.kind !== 'ServiceAccount' || !('namespace' in s)) continue;
    if (typeof s.namespace !== 'string') {
      const who = typeof s.name === 'string' ? ` ${s.name}` : '';
      throw new KustomizeError(
        'KustomizeResolve',
        `${formatId(binding.curId())}: namespace is blank for subject ServiceAccount${who}: set it or leave the field out`,
      );
    }
  }
}

function allSameName(rs: Resource[]): boolean {
  return rs.every((r) => r.name === rs[0]!.name);
}

function allSameNameAndNs(rs: Resource[]): boolean {
  return rs.every((r) => r.name === rs[0]!.name && r.namespace === rs[0]!.namespace);
}

export { splitApiVersion };
