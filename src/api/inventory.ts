import { InvalidSpecError } from './errors.js';

/** The identity of an applied object in an inventory: namespace, name, group and kind. */
export interface ObjectId {
  namespace: string;
  name: string;
  group: string;
  kind: string;
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/**
 * The inventory entry id of an object: `<namespace>_<name>_<group>_<kind>` (empty namespace for cluster
 * objects, empty group for the core group). Colons in RBAC names are written as `__`, as Flux does.
 */
export function formatObjectId(id: ObjectId): string {
  let name = id.name;
  if (id.group === 'rbac.authorization.k8s.io' && RBAC_KINDS.has(id.kind)) name = name.replaceAll(':', '__');
  return `${id.namespace}_${name}_${id.group}_${id.kind}`;
}

/** Parses an inventory entry id. Throws {@link InvalidSpecError} when it has fewer than four fields. */
export function parseObjectId(text: string): ObjectId {
  const bad = () =>
    new InvalidSpecError(
      `Invalid inventory id ${JSON.stringify(text)}: expected <namespace>_<name>_<group>_<kind>`,
    );
  const first = text.indexOf('_');
  if (first < 0) throw bad();
  const namespace = text.slice(0, first);
  let rest = text.slice(first + 1);
  const lastKind = rest.lastIndexOf('_');
  if (lastKind < 0) throw bad();
  const kind = rest.slice(lastKind + 1);
  rest = rest.slice(0, lastKind);
  const lastGroup = rest.lastIndexOf('_');
  if (lastGroup < 0) throw bad();
  const group = rest.slice(lastGroup + 1);
  const name = rest.slice(0, lastGroup).replaceAll('__', ':');
  if (name.includes('_')) throw bad();
  return { namespace, name, group, kind };
}

/** The {@link ObjectId} of a Kubernetes object (`apiVersion`, `kind`, `metadata.name`/`namespace`). */
export function objectIdOf(obj: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}): ObjectId {
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  return {
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    group: slash >= 0 ? apiVersion.slice(0, slash) : '',
    kind: obj.kind ?? '',
  };
}

/** An inventory entry of an object: `{id, v}` with `v` the version part of its apiVersion. */
export function inventoryEntryOf(obj: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}): { id: string; v: string } {
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  return { id: formatObjectId(objectIdOf(obj)), v: slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion };
}
