import { isObject, type JsonObject, type JsonValue } from '../patch/index.js';
import { KustomizeError } from './errors.js';
import { type FieldSpec, specSelects, visitFields } from './field-spec.js';
import { effectiveNamespace, formatId, type ResId, type Resource, splitApiVersion } from './resource.js';
import { isClusterScoped } from './scope.js';
import { CompiledSelector, readSelector, type Selector } from './selector.js';

/** A legacy `vars` entry. */
export interface Var {
  name: string;
  objref?: { kind?: string; name?: string; apiVersion?: string; namespace?: string };
  fieldref?: { fieldpath?: string };
}

/** Splits a replacement field path on dots outside brackets. */
export function splitFieldPath(fp: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of fp) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  // `containers[0]` is `containers` then `0`.
  return out.flatMap((seg) => {
    const m = /^([^[\]]+)\[(\d+)\]$/.exec(seg);
    return m ? [m[1]!, m[2]!] : [seg];
  });
}

type Slot = { parent: JsonObject | JsonValue[]; key: string | number };

/** Finds every place a field path reaches; with `create`, missing maps and the last field are made. */
function lookup(root: JsonValue, segs: string[], create: boolean): Slot[] {
  let cur: Slot[] = [{ parent: [root], key: 0 }];
  for (const seg of segs) {
    const next: Slot[] = [];
    for (const s of cur) {
      const node = (s.parent as Record<string | number, JsonValue>)[s.key];
      const m = /^\[(.+?)=(.*)\]$/.exec(seg);
      if (Array.isArray(node)) {
        if (m) {
          node.forEach((el, i) => {
            if (isObject(el) && String(el[m[1]!]) === m[2]) next.push({ parent: node, key: i });
          });
        } else if (seg === '*') {
          for (let i = 0; i < node.length; i++) next.push({ parent: node, key: i });
        } else if (/^\d+$/.test(seg) && Number(seg) < node.length)
          next.push({ parent: node, key: Number(seg) });
        continue;
      }
      if (!isObject(node)) {
        if ((node === undefined || node === null) && create && !m) {
          const fresh: JsonObject = {};
          (s.parent as Record<string | number, JsonValue>)[s.key] = fresh;
          next.push({ parent: fresh, key: seg.replace(/^\[(.*)\]$/, '$1') });
        }
        continue;
      }
      if (seg === '*') {
        for (const k of Object.keys(node)) next.push({ parent: node, key: k });
        continue;
      }
      const key = seg.replace(/^\[(.*)\]$/, '$1');
      if (node[key] !== undefined || create) next.push({ parent: node, key });
    }
    cur = next;
  }
  return cur.filter((s) => create || (s.parent as Record<string | number, JsonValue>)[s.key] !== undefined);
}

/** The ids a replacement may select a resource by: its current id, then every id it had before. */
function idsOf(r: Resource): ResId[] {
  const cur = r.curId();
  if (r.prevIds.length === 0) return [cur];
  // Earlier ids keep their name, namespace and kind; group and version are the current ones.
  return [cur, ...r.prevIds.map((p) => ({ ...p, group: cur.group, version: cur.version }))];
}

function idNamespace(id: { group: string; kind: string; namespace: string }): string {
  return isClusterScoped(id.group, id.kind) ? '~X' : effectiveNamespace(id.namespace);
}

/** kustomize's `IsSelectedBy`: exact names (no patterns), effective namespaces, any given GVK part. */
function idSelectedBy(id: ResId, sel: Selector): boolean {
  return (
    (sel.name === undefined || sel.name === id.name) &&
    (sel.namespace === undefined ||
      idNamespace({ group: sel.group ?? '', kind: sel.kind ?? '', namespace: sel.namespace }) ===
        idNamespace(id)) &&
    (sel.group === undefined || sel.group === id.group) &&
    (sel.version === undefined || sel.version === id.version) &&
    (sel.kind === undefined || sel.kind === id.kind)
  );
}

function hasIdPart(sel: Selector): boolean {
  return (
    sel.name !== undefined ||
    sel.namespace !== undefined ||
    sel.group !== undefined ||
    sel.version !== undefined ||
    sel.kind !== undefined
  );
}

/** A replacement's `select` or `reject`: an id (matched against current and earlier ids) plus label and annotation selectors. */
class ReplacementSelector {
  private readonly byMeta: CompiledSelector | undefined;

  constructor(readonly sel: Selector) {
    if (sel.labelSelector !== undefined || sel.annotationSelector !== undefined) {
      const meta: Selector = {};
      if (sel.labelSelector !== undefined) meta.labelSelector = sel.labelSelector;
      if (sel.annotationSelector !== undefined) meta.annotationSelector = sel.annotationSelector;
      this.byMeta = new CompiledSelector(meta);
    }
  }

  /** Whether any id of the resource is selected. */
  matchesId(ids: ResId[]): boolean {
    return ids.some((id) => idSelectedBy(id, this.sel));
  }

  /** Whether the labels and annotations match (true when the selector names none). */
  matchesMeta(r: Resource): boolean {
    return this.byMeta === undefined || this.byMeta.matches(r);
  }

  /** As a `reject`: the id part and the label/annotation part each reject on their own. */
  rejects(r: Resource, ids: ResId[]): boolean {
    return (hasIdPart(this.sel) && this.matchesId(ids)) || this.byMeta?.matches(r) === true;
  }
}

function readOpts(v: unknown): { delimiter?: string; index: number; create: boolean } {
  const o = isObject(v) ? v : {};
  const res: { delimiter?: string; index: number; create: boolean } = {
    index: typeof o.index === 'number' ? o.index : 0,
    create: o.create === true,
  };
  if (typeof o.delimiter === 'string' && o.delimiter !== '') res.delimiter = o.delimiter;
  return res;
}

function selectorOf(v: unknown): Selector {
  const s = readSelector(v) ?? {};
  if (isObject(v) && typeof v.apiVersion === 'string' && !s.group && !s.version) {
    const gv = splitApiVersion(v.apiVersion);
    if (gv.group) s.group = gv.group;
    if (gv.version) s.version = gv.version;
  }
  return s;
}

/** Applies kustomize `replacements`: copies a source field into target fields. */
export function applyReplacements(resources: Resource[], replacements: unknown[], file: string): void {
  for (const rep of replacements) {
    if (!isObject(rep) || !isObject(rep.source)) {
      throw new KustomizeError('KustomizeInvalidKustomization', `${file}: replacement has no source`, {
        file,
      });
    }
    const src = rep.source;
    const srcSel = new ReplacementSelector(selectorOf(src));
    const sources = resources.filter((r) => srcSel.matchesId(idsOf(r)));
    if (sources.length !== 1) {
      throw new KustomizeError(
        'KustomizeResolve',
        sources.length === 0
          ? `${file}: replacement source ${JSON.stringify(selectorOf(src))} selects nothing`
          : `${file}: replacement source ${JSON.stringify(selectorOf(src))} selects ${sources.length} resources: ${sources
              .map((r) => formatId(r.curId()))
              .join(', ')}`,
        { file },
      );
    }
    const fp = typeof src.fieldPath === 'string' && src.fieldPath !== '' ? src.fieldPath : 'metadata.name';
    const found = lookup(sources[0]!.obj, splitFieldPath(fp), false);
    if (found.length === 0) {
      throw new KustomizeError(
        'KustomizeResolve',
        `${file}: fieldPath ${fp} is missing for replacement source ${formatId(sources[0]!.curId())}`,
        {
          file,
        },
      );
    }
    let value = (found[0]!.parent as Record<string | number, JsonValue>)[found[0]!.key]!;
    const so = readOpts(src.options);
    if (so.delimiter !== undefined && typeof value === 'string') {
      const parts = value.split(so.delimiter);
      value = parts[so.index] ?? '';
    }
    for (const t of Array.isArray(rep.targets) ? rep.targets : []) {
      if (!isObject(t)) continue;
      const sel = new ReplacementSelector(selectorOf(t.select));
      const rejects = (Array.isArray(t.reject) ? t.reject : []).map(
        (x) => new ReplacementSelector(selectorOf(x)),
      );
      const to = readOpts(t.options);
      for (const r of resources) {
        if (!sel.matchesMeta(r)) continue;
        const ids = idsOf(r);
        if (!sel.matchesId(ids) || rejects.some((x) => x.rejects(r, ids))) continue;
        for (const tfp of Array.isArray(t.fieldPaths) ? t.fieldPaths : []) {
          if (typeof tfp !== 'string') continue;
          const slots = lookup(r.obj, splitFieldPath(tfp), to.create);
          if (slots.length === 0 && !to.create) {
            throw new KustomizeError(
              'KustomizeResolve',
              `${file}: unable to find field ${tfp} in replacement target ${formatId(r.curId())}`,
              { file },
            );
          }
          for (const s of slots) {
            const holder = s.parent as Record<string | number, JsonValue>;
            if (to.delimiter !== undefined) {
              const cur = typeof holder[s.key] === 'string' ? (holder[s.key] as string) : '';
              const parts = cur.split(to.delimiter);
              if (to.index >= parts.length) parts.push(String(value));
              else if (to.index < 0) parts.unshift(String(value));
              else parts[to.index] = String(value);
              holder[s.key] = parts.join(to.delimiter);
            } else holder[s.key] = structuredClone(value);
          }
        }
      }
    }
  }
}

function varMatches(resources: Resource[], v: Var): Resource[] {
  const ref = v.objref ?? {};
  const gv = splitApiVersion(ref.apiVersion ?? '');
  return resources.filter((r) =>
    [...r.previousIds(), r.curId()].some(
      (id) =>
        (!ref.kind || id.kind === ref.kind) &&
        (!ref.name || id.name === ref.name) &&
        (!gv.group || id.group === gv.group) &&
        (!gv.version || id.version === gv.version) &&
        (!ref.namespace || id.namespace === ref.namespace),
    ),
  );
}

/** Binds vars to the one resource each names, where they are declared (kustomize's MergeVars). */
export function bindVars(resources: Resource[], vars: Var[], file: string): void {
  for (const v of vars) {
    const m = varMatches(resources, v);
    if (m.length > 1) {
      throw new KustomizeError(
        'KustomizeResolve',
        `${file}: var ${v.name} matches ${m.length} resources (${m.map((r) => formatId(r.curId())).join(', ')}): unable to disambiguate`,
        { file },
      );
    }
    if (m.length === 1) m[0]!.refVarNames.push(v.name);
  }
}

/** Resolves legacy `vars` and substitutes `$(NAME)` in the fields the specs name. */
export function resolveVars(resources: Resource[], vars: Var[], specs: FieldSpec[]): void {
  if (vars.length === 0) return;
  const values = new Map<string, JsonValue>();
  for (const v of vars) {
    const ref = v.objref ?? {};
    const bound = resources.filter((r) => r.refVarNames.includes(v.name));
    const matches = bound.length > 0 ? bound : varMatches(resources, v);
    if (matches.length !== 1) {
      throw new KustomizeError(
        'KustomizeResolve',
        matches.length === 0
          ? `Var ${v.name} cannot be resolved: no resource matches ${ref.kind ?? ''}/${ref.name ?? ''}`
          : `Var ${v.name} cannot be resolved: ${matches.length} resources match ${ref.kind ?? ''}/${ref.name ?? ''}`,
      );
    }
    const fp = v.fieldref?.fieldpath || 'metadata.name';
    const slots = lookup(matches[0]!.obj, splitFieldPath(fp), false);
    if (slots.length === 0) {
      throw new KustomizeError(
        'KustomizeResolve',
        `Var ${v.name} cannot be resolved: field ${fp} not found in ${formatId(matches[0]!.curId())}`,
      );
    }
    values.set(v.name, (slots[0]!.parent as Record<string | number, JsonValue>)[slots[0]!.key]!);
  }
  const re = /\$\$|\$\(([^)]+)\)/g;
  const expand = (s: string): JsonValue => {
    const whole = /^\$\(([^)]+)\)$/.exec(s);
    if (whole && values.has(whole[1]!) && typeof values.get(whole[1]!) !== 'string')
      return values.get(whole[1]!)!;
    return s.replace(re, (m, name: string | undefined) => {
      if (m === '$$') return '$$';
      const v = values.get(name!);
      return v === undefined ? m : typeof v === 'string' ? v : JSON.stringify(v);
    });
  };
  for (const r of resources) {
    const gvk = { ...splitApiVersion(r.obj.apiVersion), kind: r.kind };
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      visitFields(r.obj, fs.path, false, (parent, key) => {
        const v = parent[key];
        if (typeof v === 'string') parent[key] = expand(v);
        else if (Array.isArray(v)) parent[key] = v.map((x) => (typeof x === 'string' ? expand(x) : x));
        else if (isObject(v))
          for (const [k2, x] of Object.entries(v)) if (typeof x === 'string') v[k2] = expand(x);
      });
    }
  }
}
