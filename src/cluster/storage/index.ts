/**
 * Storage of the embedded cluster: a write log in SQLite in kine's model (each row's autoincrement id is the
 * global resourceVersion; optimistic concurrency on the previous revision; compaction) and a watch cache that
 * replays recent history and fans new writes out to watchers by key prefix. Writes of one event-loop turn are
 * group-committed (one transaction, one fsync); their events reach watchers only after that COMMIT.
 */
export {
  BatchRolledBackError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  RevisionExpiredError,
  StoreLockedError,
} from './errors.js';
export {
  type KubeObject,
  type ListOptions,
  type ListResult,
  openStore,
  type Store,
  type StoredObject,
  type StoreEvent,
  type StoreEventType,
  type StoreOptions,
} from './store.js';
