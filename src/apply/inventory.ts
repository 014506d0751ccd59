import type { KubeObject } from '../kube/index.js';
import { splitApiVersion } from '../kube/index.js';
import type { ChangeSet } from './change-set.js';
import type { ObjMetadata } from './object-id.js';
import {
  compareObjMetadata,
  formatObjectId,
  joinApiVersion,
  objMetadataOf,
  parseObjectId,
} from './object-id.js';

/** One inventory entry as Flux writes it in `status.inventory.entries`. */
export interface InventoryEntry {
  /** `<namespace>_<name>_<group>_<kind>`. */
  id: string;
  /** The version of the kind, e.g. `v1`. */
  v: string;
}

/** The objects a Kustomization applied, as Flux's `status.inventory`. */
export interface Inventory {
  entries: InventoryEntry[];
}

/** Builds an inventory from a change set (every entry, skipped ones included, as Flux records them). */
export function inventoryFromChangeSet(changeSet: ChangeSet): Inventory {
  return { entries: changeSet.entries.map((e) => ({ id: formatObjectId(e.objMetadata), v: e.version })) };
}

/**
 * Builds an inventory from objects as written. Cluster-scoped objects must carry no namespace; prefer
 * {@link inventoryFromChangeSet}, whose identities come from the server's mapping.
 */
export function inventoryFromObjects(objects: readonly KubeObject[]): Inventory {
  return {
    entries: objects.map((o) => ({
      id: formatObjectId(objMetadataOf(o)),
      v: splitApiVersion(o.apiVersion).version,
    })),
  };
}

/** The entries of an inventory as object stubs (`apiVersion`, `kind`, `metadata.name/namespace`), in apply order. */
export function inventoryObjects(inventory: Inventory | undefined): KubeObject[] {
  return toStubs(inventory?.entries ?? []);
}

/**
 * The objects of `previous` that are missing from `next`: what to prune after applying `next`. Returned as
 * object stubs in apply order, ready for {@link ResourceManager.deleteAll}.
 */
export function inventoryDiff(previous: Inventory | undefined, next: Inventory | undefined): KubeObject[] {
  const keep = new Set((next?.entries ?? []).map((e) => e.id));
  return toStubs((previous?.entries ?? []).filter((e) => !keep.has(e.id)));
}

/** Adds objects to an inventory unless their id is already there (re-tracks objects whose prune failed). */
export function mergeInventory(inventory: Inventory, objects: readonly KubeObject[]): Inventory {
  const seen = new Set(inventory.entries.map((e) => e.id));
  const entries = [...inventory.entries];
  for (const entry of inventoryFromObjects(objects).entries) {
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    entries.push(entry);
  }
  return { entries };
}

function toStubs(entries: readonly InventoryEntry[]): KubeObject[] {
  const parsed = entries.map((e): [ObjMetadata, string] => [parseObjectId(e.id), e.v]);
  parsed.sort((a, b) => compareObjMetadata(a[0], b[0]));
  return parsed.map(([m, v]) => ({
    apiVersion: joinApiVersion(m.group, v),
    kind: m.kind,
    metadata: m.namespace ? { name: m.name, namespace: m.namespace } : { name: m.name },
  }));
}
