/**
 * The resource manager, Flux's `ssa` package: reconciles sets of objects onto a cluster with server-side
 * apply in stages (CRDs and Namespaces first), diffs each object with a dry-run so unchanged objects cost no
 * write, recreates objects on immutable-field changes when forced, honours the `ssa`, `force`, `prune` and
 * `reconcile` annotations, prunes what left the inventory, waits for health with kstatus rules, and reports
 * every outcome as a change set (`Deployment/apps/podinfo configured`). Inventories are encoded as Flux's
 * `status.inventory.entries` (`<namespace>_<name>_<group>_<kind>`).
 */
export {
  ChangeSet,
  type ChangeSetAction,
  type ChangeSetEntry,
  formatChangeSetEntry,
  isChange,
} from './change-set.js';
export { anyInMetadata, hasDrifted, maskSecretData } from './drift.js';
export { ApplyError, HealthCheckError, ImmutableFieldError } from './errors.js';
export {
  type Inventory,
  type InventoryEntry,
  inventoryDiff,
  inventoryFromChangeSet,
  inventoryFromObjects,
  inventoryObjects,
  mergeInventory,
} from './inventory.js';
export {
  compareObjMetadata,
  formatObjectId,
  formatSubject,
  type ObjMetadata,
  objMetadataOf,
  parseObjectId,
} from './object-id.js';
export {
  type ApplyOptions,
  type DeleteAllOptions,
  type DiffOptions,
  type DiffResult,
  type Owner,
  ownerLabels,
  ResourceManager,
  type ResourceManagerDeps,
  type ResourceManagerOptions,
} from './resource-manager.js';
export type { HealthFunction, ObjectStatus, WaitOptions } from './wait.js';
export { WatchHub, type WatchHubOptions, type WatchSubscriber } from './watch-hub.js';
