import { isObject } from '../patch/index.js';
import { KustomizeError } from './errors.js';
import { effectiveNamespace, type Resource, splitApiVersion } from './resource.js';

/** A patch or replacement target: every given field must match (names and namespaces are regexes). */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** Reads a selector from kustomization data. */
export function readSelector(v: unknown): Selector | undefined {
  if (!isObject(v)) return undefined;
  const s: Selector = {};
  for (const k of [
    'group',
    'version',
    'kind',
    'name',
    'namespace',
    'labelSelector',
    'annotationSelector',
  ] as const) {
    const x = v[k];
    if (typeof x === 'string' && x !== '') s[k] = x;
  }
  return s;
}

type Requirement = { key: string; op: 'in' | 'notin' | 'exists' | '!'; values: string[] };

/** Parses a Kubernetes label selector (`a=b,c!=d,e in (x,y),!f,g`). */
export function parseLabelSelector(sel: string): Requirement[] {
  const reqs: Requirement[] = [];
  let i = 0;
  const s = sel.trim();
  const fail = (): never => {
    throw new KustomizeError(
      'KustomizeInvalidKustomization',
      `Label selector ${JSON.stringify(sel)} is invalid`,
    );
  };
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (i >= s.length) break;
    let neg = false;
    if (s[i] === '!') {
      neg = true;
      i++;
    }
    const m = /^\s*([A-Za-z0-9_./-]+)\s*/.exec(s.slice(i));
    if (!m) fail();
    const key = m![1]!;
    i += m![0].length;
    if (neg) {
      reqs.push({ key, op: '!', values: [] });
      continue;
    }
    const rest = s.slice(i);
    const eqm = /^(==|=|!=)\s*([A-Za-z0-9_.-]*)\s*/.exec(rest);
    const inm = eqm ? null : /^(in|notin)\s*\(([^)]*)\)\s*/.exec(rest);
    if (eqm) {
      reqs.push({ key, op: eqm[1] === '!=' ? 'notin' : 'in', values: [eqm[2]!] });
      i += eqm[0].length;
    } else if (inm) {
      reqs.push({ key, op: inm[1] as 'in' | 'notin', values: inm[2]!.split(',').map((x) => x.trim()) });
      i += inm[0].length;
    } else if (rest === '' || rest.startsWith(',')) {
      reqs.push({ key, op: 'exists', values: [] });
    } else fail();
  }
  return reqs;
}

/** Reports whether a label map satisfies a parsed selector. */
export function matchesLabels(reqs: Requirement[], labels: Record<string, string>): boolean {
  for (const r of reqs) {
    const has = Object.hasOwn(labels, r.key);
    const v = has ? String(labels[r.key]) : undefined;
    switch (r.op) {
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
    }
  }
  return true;
}

const regexCache = new Map<string, RegExp>();
function anchored(p: string): RegExp {
  let r = regexCache.get(p);
  if (!r) {
    try {
      r = new RegExp(`^(?:${p})$`);
    } catch (cause) {
      throw new KustomizeError(
        'KustomizeInvalidKustomization',
        `Target pattern ${JSON.stringify(p)} is invalid`,
        { cause },
      );
    }
    regexCache.set(p, r);
  }
  return r;
}

/** A compiled selector. */
export class CompiledSelector {
  private readonly labels?: Requirement[];
  private readonly annotations?: Requirement[];

  constructor(readonly sel: Selector) {
    if (sel.labelSelector) this.labels = parseLabelSelector(sel.labelSelector);
    if (sel.annotationSelector) this.annotations = parseLabelSelector(sel.annotationSelector);
  }

  /** Reports whether a resource is selected (original or current name/namespace, current GVK). */
  matches(r: Resource): boolean {
    const s = this.sel;
    if (s.kind !== undefined && !anchored(s.kind).test(r.kind)) return false;
    if (s.group !== undefined || s.version !== undefined) {
      const gv = splitApiVersion(r.obj.apiVersion);
      if (s.group !== undefined && !anchored(s.group).test(gv.group)) return false;
      if (s.version !== undefined && !anchored(s.version).test(gv.version)) return false;
    }
    if (s.name !== undefined) {
      const re = anchored(s.name);
      if (!re.test(r.orgId.name) && !re.test(r.name)) return false;
    }
    if (s.namespace !== undefined) {
      const re = anchored(s.namespace);
      // A cluster-scoped resource has no namespace to match (kustomize compares a sentinel, `~X`).
      const scoped = r.clusterScoped();
      const org = scoped ? '~X' : effectiveNamespace(r.orgId.namespace);
      const cur = scoped ? '~X' : effectiveNamespace(r.namespace);
      if (!re.test(org) && !re.test(cur)) return false;
    }
    if (this.labels && !matchesLabels(this.labels, r.labels())) return false;
    if (this.annotations && !matchesLabels(this.annotations, r.annotations())) return false;
    return true;
  }
}
