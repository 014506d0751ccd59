import {
  BUILTIN_RESOURCES,
  type BuiltinResource,
  type JSONSchemaProps,
  type TypeNode,
  typeForKind,
  typeFromSchema,
} from '../../schema/index.js';
import type {
  CustomResourceDefinition,
  GroupVersions,
  ResourceRegistry,
  ResourceType,
  ScaleSubresource,
} from './types.js';
import { compareVersionPriority } from './version-priority.js';

/** The verbs of an ordinary resource, sorted as the API server lists them. */
export const STANDARD_VERBS: readonly string[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** Built-in resources with a scale subresource: all keep replicas at the usual places. */
const BUILTIN_SCALE: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

const ANY_OBJECT: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /** The built-in resources to serve. Defaults to all of src/schema's `BUILTIN_RESOURCES`. */
  builtins?: readonly BuiltinResource[];
}

function builtinType(b: BuiltinResource): TypeNode {
  const apiVersion = b.group === '' ? b.version : `${b.group}/${b.version}`;
  return typeForKind(apiVersion, b.kind) ?? typeFromSchema(ANY_OBJECT);
}

function fromBuiltin(b: BuiltinResource): ResourceType {
  const verbs =
    b.kind === 'Namespace' ? STANDARD_VERBS.filter((v) => v !== 'deletecollection') : [...STANDARD_VERBS];
  const subresources: ResourceType['subresources'] = { status: b.subresources.includes('status') };
  if (b.subresources.includes('scale')) subresources.scale = { ...BUILTIN_SCALE };
  let type: TypeNode | undefined;
  return {
    group: b.group,
    version: b.version,
    kind: b.kind,
    listKind: `${b.kind}List`,
    plural: b.plural,
    singular: b.singular,
    namespaced: b.namespaced,
    shortNames: [...b.shortNames],
    categories: [...b.categories],
    verbs,
    subresources,
    storageVersion: b.version,
    // Resolving a built-in type walks the schema table; do it once, on first use.
    get type(): TypeNode {
      type ??= builtinType(b);
      return type;
    },
    schemaName: b.schemaName,
  };
}

/**
 * Turns a CustomResourceDefinition into the resource types of its served versions. Returns `[]` when the CRD
 * lacks the parts needed to serve it (group, names, versions); validation reports those separately.
 */
export function resourceTypesFromCRD(crd: CustomResourceDefinition): ResourceType[] {
  const spec = crd.spec;
  const names = spec?.names;
  if (!spec?.group || !names?.plural || !names.kind || !Array.isArray(spec.versions)) return [];
  const name = crd.metadata?.name ?? `${names.plural}.${spec.group}`;
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name ?? '';
  const out: ResourceType[] = [];
  for (const v of spec.versions) {
    if (!v.served || !v.name) continue;
    const schema = v.schema?.openAPIV3Schema ?? ANY_OBJECT;
    let type: TypeNode | undefined;
    const scale = v.subresources?.scale;
    const rt: ResourceType = {
      group: spec.group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind || `${names.kind}List`,
      plural: names.plural,
      singular: names.singular || names.kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: [...(names.shortNames ?? [])],
      categories: [...(names.categories ?? [])],
      verbs: [...STANDARD_VERBS],
      subresources: { status: v.subresources?.status !== undefined && v.subresources.status !== null },
      storageVersion: storage,
      get type(): TypeNode {
        type ??= typeFromSchema(schema);
        return type;
      },
      crd: name,
      schema,
      printerColumns: [...(v.additionalPrinterColumns ?? [])],
    };
    if (scale?.specReplicasPath && scale.statusReplicasPath) {
      rt.subresources.scale = {
        specReplicasPath: scale.specReplicasPath,
        statusReplicasPath: scale.statusReplicasPath,
        ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}),
      };
    }
    if (v.deprecated) {
      rt.deprecated = true;
      if (v.deprecationWarning) rt.deprecationWarning = v.deprecationWarning;
    }
    out.push(rt);
  }
  return out;
}

/** The parts of a CRD that change what is served; status and metadata changes do not count. */
function crdFingerprint(crd: CustomResourceDefinition): string {
  return JSON.stringify([crd.metadata?.name, crd.spec]);
}

/**
 * Creates the registry of an embedded cluster: every built-in resource of src/schema, plus the CRDs installed
 * with `installCRD`. Lookups are map reads; the order of `all()` is stable (built-ins in table order, then CRDs
 * by name).
 */
export function createRegistry(options: RegistryOptions = {}): ResourceRegistry {
  const builtins = (options.builtins ?? BUILTIN_RESOURCES).map(fromBuiltin);
  const crds = new Map<string, { fingerprint: string; types: ResourceType[] }>();
  const listeners = new Set<() => void>();
  let generation = 1;

  // Indexes, rebuilt on change (rare) so lookups stay O(1) (frequent).
  let all: ResourceType[] = [];
  let byPath = new Map<string, ResourceType>();
  let byGVK = new Map<string, ResourceType>();
  let preferredByGK = new Map<string, ResourceType>();
  let groups: GroupVersions[] = [];

  const rebuild = (): void => {
    const custom = [...crds.keys()].sort().flatMap((k) => crds.get(k)!.types);
    all = [...builtins, ...custom];
    byPath = new Map();
    byGVK = new Map();
    const versionsOf = new Map<string, Set<string>>();
    for (const rt of all) {
      const path = `${rt.group}/${rt.version}/${rt.plural}`;
      if (byPath.has(path)) continue; // a CRD may not shadow a built-in or an earlier CRD
      byPath.set(path, rt);
      byGVK.set(`${rt.group}/${rt.version}/${rt.kind}`, rt);
      let vs = versionsOf.get(rt.group);
      if (!vs) {
        vs = new Set();
        versionsOf.set(rt.group, vs);
      }
      vs.add(rt.version);
    }
    all = [...byPath.values()];
    groups = [...versionsOf.entries()].map(([group, vs]) => ({
      group,
      versions: [...vs].sort(compareVersionPriority),
    }));
    // Core first, then built-in groups in table order, then custom groups by name.
    const order = new Map<string, number>();
    for (const rt of builtins) if (!order.has(rt.group)) order.set(rt.group, order.size);
    groups.sort((a, b) => {
      const oa = order.get(a.group) ?? Number.MAX_SAFE_INTEGER;
      const ob = order.get(b.group) ?? Number.MAX_SAFE_INTEGER;
      if (oa !== ob) return oa - ob;
      return a.group < b.group ? -1 : a.group > b.group ? 1 : 0;
    });
    const groupRank = new Map(groups.map((g) => [g.group, g.versions]));
    preferredByGK = new Map();
    for (const rt of all) {
      const key = `${rt.group}/${rt.kind}`;
      const current = preferredByGK.get(key);
      const versions = groupRank.get(rt.group)!;
      if (!current || versions.indexOf(rt.version) < versions.indexOf(current.version))
        preferredByGK.set(key, rt);
    }
  };

  const changed = (): void => {
    generation++;
    rebuild();
    for (const listener of [...listeners]) listener();
  };

  rebuild();

  return {
    all: () => all,
    lookup: (group, version, plural) => byPath.get(`${group}/${version}/${plural}`),
    byKind: (group, version, kind) => byGVK.get(`${group}/${version}/${kind}`),
    preferred: (group, kind) => preferredByGK.get(`${group}/${kind}`),
    groupVersions: () => groups,
    installCRD(crd: object): void {
      const c = crd as CustomResourceDefinition;
      const types = resourceTypesFromCRD(c);
      const name = c.metadata?.name ?? (types[0] ? `${types[0].plural}.${types[0].group}` : undefined);
      if (!name) return;
      const fingerprint = crdFingerprint(c);
      if (crds.get(name)?.fingerprint === fingerprint) return;
      crds.set(name, { fingerprint, types });
      changed();
    },
    removeCRD(name: string): void {
      if (crds.delete(name)) changed();
    },
    get generation(): number {
      return generation;
    },
    onChange(listener: () => void): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
