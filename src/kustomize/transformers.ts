import { isObject, type JsonObject, type JsonValue } from '../patch/index.js';
import { KustomizeError } from './errors.js';
import { type FieldSpec, specSelects, visitFields } from './field-spec.js';
import { idKey, type Resource, splitApiVersion } from './resource.js';

function gvkOf(r: Resource) {
  const { group, version } = splitApiVersion(r.obj.apiVersion);
  return { group, version, kind: r.kind };
}

/** Sets string entries in the maps the specs reach (labels, annotations, selectors). */
export function setMapEntries(
  resources: Resource[],
  entries: Record<string, string>,
  specs: FieldSpec[],
): void {
  const keys = Object.keys(entries);
  if (keys.length === 0) return;
  // Index loops: this runs once per resource and spec, mostly before it is optimized, where for-of
  // allocates per element.
  for (let ri = 0; ri < resources.length; ri++) {
    const r = resources[ri]!;
    const gvk = gvkOf(r);
    const seen = new Set<unknown>();
    for (let si = 0; si < specs.length; si++) {
      const fs = specs[si]!;
      if (!specSelects(fs, gvk)) continue;
      visitFields(r.obj, fs.path, fs.create, (parent, key) => {
        let m = parent[key];
        if (m === undefined || m === null) {
          if (!fs.create) return;
          m = {};
          parent[key] = m;
        }
        if (!isObject(m)) {
          throw new KustomizeError(
            'KustomizeBuildFailed',
            `Field ${fs.path} of ${r.kind}/${r.name} is not a map: cannot set ${Object.keys(entries).join(', ')}`,
          );
        }
        if (seen.has(m)) return;
        seen.add(m);
        for (let i = 0; i < keys.length; i++) m[keys[i]!] = entries[keys[i]!]!;
      });
    }
  }
}

/** Options of the namespace transformer. */
export interface NamespaceOptions {
  /** `defaultOnly` (subjects named default), `allServiceAccounts` or `none`. */
  setRoleBindingSubjects?: string;
  /** Only set namespaces that are empty. */
  unsetOnly?: boolean;
  /**
   * Record the ids before the change and reject resulting id conflicts, as the namespace transformer does.
   * Default: true; the ValueAddTransformer sets namespaces without either.
   */
  trackIds?: boolean;
}

/** Sets the namespace of every namespaced resource, and of the fields the specs name. */
export function setNamespace(
  resources: Resource[],
  ns: string,
  specs: FieldSpec[],
  opts: NamespaceOptions = {},
): void {
  if (ns === '') return;
  const setIn = (parent: JsonObject, key: string): void => {
    if (opts.unsetOnly && typeof parent[key] === 'string' && parent[key] !== '') return;
    parent[key] = ns;
  };
  const track = opts.trackIds !== false;
  for (const r of resources) {
    if (track) r.storePreviousId();
    const gvk = gvkOf(r);
    if (!r.clusterScoped()) setIn(r.metadata, 'namespace');
    const isBinding = r.kind === 'RoleBinding' || r.kind === 'ClusterRoleBinding';
    for (const fs of specs) {
      if (fs.path === 'metadata/namespace') continue;
      if (fs.path === 'metadata/name' && r.obj.apiVersion !== 'v1') continue;
      if (isBinding && fs.path === 'subjects/namespace') continue;
      if (!specSelects(fs, gvk)) continue;
      visitFields(r.obj, fs.path, fs.create, (parent, key) => {
        if (parent[key] === undefined && !fs.create) return;
        setIn(parent, key);
      });
    }
    if (isBinding) {
      const mode = opts.setRoleBindingSubjects ?? 'defaultOnly';
      const subjects = r.obj.subjects;
      if (mode !== 'none' && Array.isArray(subjects)) {
        for (const s of subjects) {
          if (!isObject(s)) continue;
          if (mode === 'allServiceAccounts' ? s.kind === 'ServiceAccount' : s.name === 'default')
            setIn(s, 'namespace');
        }
      }
    }
  }
  if (track) checkUnique(resources, 'namespace transformation');
}

function checkUnique(resources: Resource[], what: string): void {
  const seen = new Map<string, Resource>();
  for (const r of resources) {
    const k = idKey(r.curId(), r.clusterScoped());
    const other = seen.get(k);
    if (other) {
      throw new KustomizeError(
        'KustomizeConflict',
        `The ${what} produces an id conflict: two resources are now ${r.kind}/${r.name}${r.namespace ? ` in namespace ${r.namespace}` : ''}`,
      );
    }
    seen.set(k, r);
  }
}

function skipsPrefix(r: Resource): boolean {
  const { kind, group } = r.orgId;
  return (
    (kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') ||
    (kind === 'APIService' && group === 'apiregistration.k8s.io') ||
    kind === 'Namespace'
  );
}

/** Adds a name prefix or suffix to the name fields the specs reach. */
export function addNameAffix(
  resources: Resource[],
  affix: string,
  specs: FieldSpec[],
  where: 'prefix' | 'suffix',
): void {
  if (affix === '') return;
  for (const r of resources) {
    if (skipsPrefix(r)) continue;
    const orgGvk = { group: r.orgId.group, version: r.orgId.version, kind: r.orgId.kind };
    for (const fs of specs) {
      if (!specSelects(fs, orgGvk)) continue;
      if (fs.path === 'metadata/name') {
        if (where === 'prefix') r.prefixes.push(affix);
        else r.suffixes.push(affix);
        r.storePreviousId();
      }
      visitFields(r.obj, fs.path, fs.create, (parent, key) => {
        const v = parent[key];
        if (typeof v !== 'string') return;
        parent[key] = where === 'prefix' ? affix + v : v + affix;
      });
    }
  }
}

/** One `images` entry. */
export interface ImageSpec {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** Splits an image reference into name, tag and digest as kustomize does. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  let search = image;
  let slash = image.indexOf('/');
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let id = search.indexOf('@');
  let ic = search.indexOf(':');
  if (ic < 0 && id < 0) return { name: image, tag: '', digest: '' };
  if (id >= 0 && (id < ic || ic < 0)) {
    id += slash;
    return { name: image.slice(0, id), tag: '', digest: image.slice(id + 1) };
  }
  if (id >= 0 && ic >= 0) {
    id += slash;
    ic += slash;
    return { name: image.slice(0, ic), tag: image.slice(ic + 1, id), digest: image.slice(id + 1) };
  }
  ic += slash;
  return { name: image.slice(0, ic), tag: image.slice(ic + 1), digest: '' };
}

function escapeRe(s: string): string {
  return s;
}

function updateImage(value: string, img: ImageSpec, re: RegExp): string {
  if (!re.test(value)) return value;
  let { name, tag, digest } = splitImage(value);
  if (img.newName) name = img.newName;
  if (img.newTag && img.digest) {
    tag = img.newTag;
    digest = img.digest;
  } else if (img.newTag) {
    tag = img.newTag;
    digest = '';
  } else if (img.digest) {
    tag = '';
    digest = img.digest;
  } else if (img.tagSuffix) {
    tag += img.tagSuffix;
    digest = '';
  }
  return name + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
}

/** Rewrites container images (any `containers`/`initContainers` list, and the fields the specs name). */
export function setImages(resources: Resource[], images: ImageSpec[], specs: FieldSpec[]): void {
  for (const img of images) {
    let re: RegExp;
    try {
      re = new RegExp(`^${escapeRe(img.name)}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    } catch {
      continue;
    }
    for (const r of resources) {
      const done = new Set<JsonObject>();
      const visit = (parent: JsonObject, key: string): void => {
        const v = parent[key];
        if (typeof v !== 'string' || done.has(parent)) return;
        done.add(parent);
        parent[key] = updateImage(v, img, re);
      };
      walkContainers(r.obj, visit);
      const gvk = gvkOf(r);
      for (const fs of specs) {
        if (!specSelects(fs, gvk)) continue;
        visitFields(r.obj, fs.path, false, visit);
      }
    }
  }
}

function walkContainers(v: JsonValue, visit: (parent: JsonObject, key: string) => void): void {
  if (Array.isArray(v)) {
    for (const x of v) walkContainers(x, visit);
    return;
  }
  if (!isObject(v)) return;
  // for-in over a parsed document's own keys, without an entries array per object walked.
  for (const k in v) {
    const x = v[k]!;
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(x)) {
      for (const c of x) if (isObject(c) && typeof c.image === 'string') visit(c, 'image');
    }
    if (typeof x === 'object' && x !== null) walkContainers(x, visit);
  }
}

/** Sets replica counts on the resources named by each entry. */
export function setReplicas(
  resources: Resource[],
  replicas: { name: string; count: number }[],
  specs: FieldSpec[],
): void {
  const byName = new Map<string, { r: Resource; ids: ReturnType<Resource['curId']>[] }[]>();
  for (const r of resources) {
    const ids = [...r.previousIds(), r.curId()];
    for (const name of new Set(ids.map((id) => id.name))) {
      const l = byName.get(name) ?? [];
      l.push({ r, ids });
      byName.set(name, l);
    }
  }
  for (const rep of replicas) {
    let found = false;
    for (const fs of specs) {
      for (const { r, ids } of byName.get(rep.name) ?? []) {
        if (!ids.some((id) => id.name === rep.name && specSelects(fs, id))) continue;
        found = true;
        visitFields(r.obj, fs.path, fs.create, (parent, key) => {
          parent[key] = rep.count;
        });
      }
    }
    if (!found) {
      throw new KustomizeError(
        'KustomizeBuildFailed',
        `Replicas: resource with name ${rep.name} does not match a config with a replicas field`,
      );
    }
  }
}
