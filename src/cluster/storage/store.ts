import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  BatchRolledBackError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  RevisionExpiredError,
  StoreLockedError,
} from './errors.js';
import { WatchCache } from './watch-cache.js';

/** A Kubernetes object as stored: plain JSON with `metadata`. */
// biome-ignore lint/suspicious/noExplicitAny: objects are arbitrary JSON documents
export type KubeObject = Record<string, any>;

/** One live object read from the store; `object.metadata.resourceVersion` equals `revision`. */
export interface StoredObject {
  key: string;
  object: KubeObject;
  /** The revision of the write that produced this state (the object's resourceVersion). */
  revision: number;
  /** The revision of the write that created the object. */
  createRevision: number;
}

/** The kind of change a watch event reports. */
export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the log, delivered to watchers in revision order. Objects are shared: never mutate them. */
export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** The new state; for DELETED the last state, carrying the deletion's revision as resourceVersion. */
  object: KubeObject;
  /** The state before the change, when known (for selector transitions). */
  prevObject?: KubeObject;
  revision: number;
}

/** Options of {@link Store.list}. */
export interface ListOptions {
  /** Read the state as of this revision. Default: the current revision. */
  revision?: number;
  /** Return only keys strictly greater than this one (paging). */
  after?: string;
  /** Stop after this many matching objects. Default: no limit. */
  limit?: number;
  /** Keep only the objects this predicate accepts; paging counts accepted objects only. */
  filter?: (object: KubeObject) => boolean;
}

/** The result of {@link Store.list}. */
export interface ListResult {
  items: StoredObject[];
  /** The revision the list reflects. */
  revision: number;
  /** True when more matching objects follow the last item. */
  more: boolean;
}

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** SQLite file path, or `:memory:` for a throw-away store. */
  path: string;
  /**
   * `full` fsyncs every commit (a write is durable once {@link Store.whenCommitted} resolves); `normal` trades that
   * for speed. Default: `full`.
   */
  durability?: 'full' | 'normal';
  /** How many recent events the watch cache keeps in memory. Default: 10000. */
  watchCacheSize?: number;
  /** Logger for storage events. Default: none. */
  logger?: Logger;
}

/**
 * The embedded cluster's storage: a log of writes in SQLite in kine's model, where the autoincrement id of
 * each row is the global revision (the resourceVersion), plus a watch cache that fans changes out to watchers.
 * All operations are synchronous and serialised by the event loop.
 *
 * Writes are group-committed: the first write of an event-loop turn opens a transaction, every later write joins
 * it, and one COMMIT (one fsync) runs from `setImmediate`. Reads and later writes see the open batch at once;
 * watchers receive its events only after the COMMIT succeeded, and callers that acknowledge a write to someone
 * else wait for {@link Store.whenCommitted} first.
 */
export interface Store {
  /** The revision of the latest write, including writes of the open batch. */
  readonly currentRevision: number;
  /** The revision of the latest committed write: every event up to it has been delivered to watchers. */
  readonly committedRevision: number;
  /** True while a batch of writes waits for its COMMIT. */
  readonly pending: boolean;
  /** The newest revision removed by compaction (0 when nothing has been compacted). */
  readonly compactRevision: number;
  /** The live object under `key`, if any. */
  get(key: string): StoredObject | undefined;
  /** Live objects whose keys start with `prefix`, in key order. Throws {@link RevisionExpiredError} for compacted revisions. */
  list(prefix: string, options?: ListOptions): ListResult;
  /** Counts live objects under `prefix` at the current revision. */
  count(prefix: string): number;
  /** Stores a new object; throws {@link KeyExistsError} when the key holds a live object. */
  create(key: string, object: KubeObject): StoredObject;
  /**
   * Replaces the object under `key`. With `expectedRevision`, throws {@link RevisionConflictError} unless that is
   * the key's latest revision. Throws {@link KeyNotFoundError} when the key holds no live object.
   */
  update(key: string, object: KubeObject, expectedRevision?: number): StoredObject;
  /** Removes the object under `key`, returning its last state with the deletion's revision. */
  delete(key: string, expectedRevision?: number): StoredObject;
  /**
   * Resolves once the open batch has committed (at once when none is open); rejects with the commit's error when
   * the batch was rolled back instead.
   */
  whenCommitted(): Promise<void>;
  /** Commits the open batch now, delivering its events; throws the commit's error after rolling it back. */
  flush(): void;
  /**
   * Removes history at or below `revision` (default: the current revision); returns the compact revision.
   * Commits the open batch first.
   */
  compact(revision?: number): number;
  /**
   * Calls `listener` for every change under `prefix` after `fromRevision`, once each and in revision order: first
   * the committed backlog, synchronously, then the writes of each batch after it commits. Throws
   * {@link RevisionExpiredError} when `fromRevision` was compacted. Returns a function that stops the watch.
   */
  watch(prefix: string, fromRevision: number, listener: (event: StoreEvent) => void): () => void;
  /** Commits the open batch, then closes the database; later calls throw. */
  close(): void;
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  value: string;
  prev?: string | null;
  prev_id?: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS log_name_prev ON log (name, prev_revision);
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS live (name TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
`;

/** The first key after every key starting with `prefix`. */
function prefixEnd(prefix: string): string {
  if (prefix === '') return '\u{10FFFF}';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function decode(value: string, revision: number): KubeObject {
  const object = JSON.parse(value) as KubeObject;
  object.metadata = object.metadata ?? {};
  object.metadata.resourceVersion = String(revision);
  return object;
}

function encode(object: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
  return JSON.stringify({ ...object, metadata });
}

/** The writes of one event-loop turn, sharing one transaction and one COMMIT. */
class Batch {
  /** The events of the batch's writes, in revision order, delivered after COMMIT. */
  readonly events: StoreEvent[] = [];
  private waiting?: Promise<void>;
  private resolveWaiting?: () => void;
  private rejectWaiting?: (err: unknown) => void;

  constructor(
    /** The revision before the batch's first write. */
    readonly before: number,
    /** The scheduled COMMIT. */
    readonly timer: NodeJS.Immediate,
  ) {}

  /** A promise settled with the batch's outcome, made on first demand (nobody waiting means no rejection). */
  promise(): Promise<void> {
    this.waiting ??= new Promise<void>((resolve, reject) => {
      this.resolveWaiting = resolve;
      this.rejectWaiting = reject;
    });
    return this.waiting;
  }

  /** Settles the waiters: resolved without an error, rejected with it otherwise. */
  settle(err: unknown): void {
    if (err === undefined) this.resolveWaiting?.();
    else this.rejectWaiting?.(err);
  }
}

/** Opens (creating when needed) the store at `options.path`. */
export function openStore(options: StoreOptions): Store {
  const db = new Database(options.path, { timeout: 0 });
  try {
    if (options.path !== ':memory:') {
      // One server per database: a second one would keep its own watch cache and miss the first one's writes.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
    }
    db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.exec(SCHEMA);
    db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get();
    db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new StoreLockedError(options.path, err);
    throw err;
  }

  const latestStmt = db.prepare<[string], Row>(
    'SELECT id, name, created, deleted, create_revision, value FROM log WHERE name = ? ORDER BY id DESC LIMIT 1',
  );
  const insertStmt = db.prepare<[string, number, number, number, number, string]>(
    'INSERT INTO log (name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const listStmt = db.prepare<[string, string, number], Row>(
    `SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.value FROM log l
     JOIN (SELECT MAX(id) AS id FROM log WHERE name > ? AND name < ? AND id <= ? GROUP BY name) m ON l.id = m.id
     WHERE l.deleted = 0 ORDER BY l.name`,
  );
  // The live table indexes the latest row of every existing key, so current lists need no GROUP BY over history.
  const liveListStmt = db.prepare<[string, string], Row>(
    `SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.value FROM live c
     JOIN log l ON l.id = c.id WHERE c.name > ? AND c.name < ? ORDER BY c.name`,
  );
  const liveUpsertStmt = db.prepare<[string, number]>(
    'INSERT INTO live (name, id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET id = excluded.id',
  );
  const liveDeleteStmt = db.prepare<[string]>('DELETE FROM live WHERE name = ?');
  const countStmt = db.prepare<[string, string], { n: number }>(
    'SELECT COUNT(*) AS n FROM live WHERE name >= ? AND name < ?',
  );
  const liveEmpty = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM live').get()!.n === 0;
  if (liveEmpty) {
    // A database written before the live index existed: build it from the log once.
    db.exec(`INSERT INTO live (name, id) SELECT l.name, l.id FROM log l
      JOIN (SELECT MAX(id) AS id FROM log GROUP BY name) m ON l.id = m.id WHERE l.deleted = 0`);
  }
  const historyStmt = db.prepare<[number, number, string, string], Row>(
    `SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.value, p.value AS prev, p.id AS prev_id
     FROM log l LEFT JOIN log p ON p.id = l.prev_revision
     WHERE l.id > ? AND l.id <= ? AND l.name >= ? AND l.name < ? ORDER BY l.id`,
  );
  const maxIdStmt = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'log'");
  const raiseSeqStmt = db.prepare<[number]>("UPDATE sqlite_sequence SET seq = ? WHERE name = 'log'");
  const insertSeqStmt = db.prepare<[number]>("INSERT INTO sqlite_sequence (name, seq) VALUES ('log', ?)");
  const getMetaStmt = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?');
  const setMetaStmt = db.prepare<[string, number]>(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  const compactSupersededStmt = db.prepare<[number, number]>(
    `DELETE FROM log WHERE id <= ? AND (deleted = 1 OR id < (SELECT MAX(id) FROM log l2 WHERE l2.name = log.name AND l2.id <= ?))`,
  );

  let current = maxIdStmt.get()?.seq ?? 0;
  let committed = current;
  let compacted = getMetaStmt.get('compact_revision')?.value ?? 0;
  // Revisions handed out by a batch that was rolled back are never reused (a reader may have seen them).
  let burnt = 0;
  const cache = new WatchCache(options.watchCacheSize ?? 10000, current);

  let batch: Batch | undefined;
  // Events of committed batches waiting for delivery; a listener that flushes cannot reorder them.
  const outbox: StoreEvent[] = [];
  let delivering = false;

  const deliver = () => {
    if (delivering) return;
    delivering = true;
    try {
      for (let event = outbox.shift(); event; event = outbox.shift()) cache.publish(event);
    } finally {
      delivering = false;
    }
  };

  const fail = (open: Batch, err: unknown) => {
    if (db.open && db.inTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch (rollbackErr) {
        options.logger?.error({ err: rollbackErr }, 'storage rollback failed');
      }
    }
    burnt = Math.max(burnt, current);
    current = open.before;
    options.logger?.error(
      { err, writes: open.events.length, revision: open.before },
      'storage commit failed',
    );
    open.settle(err);
  };

  /** Commits the open batch; returns the error when it had to be rolled back instead. */
  const commit = (): unknown => {
    const open = batch;
    if (!open) return undefined;
    batch = undefined;
    clearImmediate(open.timer);
    try {
      // SQLite may have rolled the transaction back by itself (I/O errors, disk full): COMMIT then fails too.
      db.exec('COMMIT');
    } catch (err) {
      fail(open, err);
      return err;
    }
    committed = current;
    options.logger?.debug({ writes: open.events.length, revision: committed }, 'storage committed');
    outbox.push(...open.events);
    deliver();
    open.settle(undefined);
    return undefined;
  };

  const begin = () => {
    if (batch) {
      if (db.inTransaction) return;
      // SQLite rolled the batch back on an error: it must fail as a whole, not half-commit later writes.
      const lost = batch;
      batch = undefined;
      clearImmediate(lost.timer);
      fail(lost, new BatchRolledBackError(lost.before));
    }
    db.exec('BEGIN IMMEDIATE');
    if (burnt > current) {
      try {
        if (raiseSeqStmt.run(burnt).changes === 0) insertSeqStmt.run(burnt);
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    }
    batch = new Batch(current, setImmediate(commit));
  };

  const toStored = (row: Row): StoredObject => ({
    key: row.name,
    object: decode(row.value, row.id),
    revision: row.id,
    createRevision: row.created ? row.id : row.create_revision,
  });

  const live = (key: string): Row | undefined => {
    const row = latestStmt.get(key);
    return row && !row.deleted ? row : undefined;
  };

  const writeRow = db.transaction(
    (
      key: string,
      created: number,
      deleted: number,
      createRevision: number,
      prevRevision: number,
      value: string,
    ) => {
      const revision = Number(
        insertStmt.run(key, created, deleted, createRevision, prevRevision, value).lastInsertRowid,
      );
      if (deleted) liveDeleteStmt.run(key);
      else liveUpsertStmt.run(key, revision);
      return revision;
    },
  );

  const append = (
    key: string,
    type: StoreEventType,
    createRevision: number,
    prevRevision: number,
    value: string,
    prev: Row | undefined,
  ): StoredObject => {
    begin();
    // Inside the batch's transaction this runs as a SAVEPOINT: a failing write rolls back alone.
    const revision = writeRow(
      key,
      type === 'ADDED' ? 1 : 0,
      type === 'DELETED' ? 1 : 0,
      type === 'ADDED' ? 0 : createRevision,
      prevRevision,
      value,
    );
    current = revision;
    const stored: StoredObject = {
      key,
      object: decode(value, revision),
      revision,
      createRevision: type === 'ADDED' ? revision : createRevision,
    };
    batch!.events.push({
      type,
      key,
      object: decode(value, revision),
      prevObject: prev ? decode(prev.value, prev.id) : undefined,
      revision,
    });
    return stored;
  };

  const checkRevision = (revision: number) => {
    if (revision < compacted) throw new RevisionExpiredError(revision, compacted);
  };

  const store: Store = {
    get currentRevision() {
      return current;
    },
    get committedRevision() {
      return committed;
    },
    get pending() {
      return batch !== undefined;
    },
    get compactRevision() {
      return compacted;
    },
    get(key) {
      const row = live(key);
      return row ? toStored(row) : undefined;
    },
    list(prefix, opts = {}) {
      const revision = opts.revision ?? current;
      checkRevision(revision);
      const start = opts.after !== undefined && opts.after >= prefix ? opts.after : prefix;
      // The range is exclusive at the start; a key equal to the prefix itself is never an object key.
      const items: StoredObject[] = [];
      let more = false;
      const rows =
        revision === current
          ? liveListStmt.iterate(start, prefixEnd(prefix))
          : listStmt.iterate(start, prefixEnd(prefix), revision);
      for (const row of rows) {
        if (opts.filter) {
          const stored = toStored(row);
          if (!opts.filter(stored.object)) continue;
          if (opts.limit !== undefined && items.length >= opts.limit) {
            more = true;
            break;
          }
          items.push(stored);
        } else {
          if (opts.limit !== undefined && items.length >= opts.limit) {
            more = true;
            break;
          }
          items.push(toStored(row));
        }
      }
      return { items, revision, more };
    },
    count(prefix) {
      return countStmt.get(prefix, prefixEnd(prefix))?.n ?? 0;
    },
    create(key, object) {
      const existing = latestStmt.get(key);
      if (existing && !existing.deleted) throw new KeyExistsError(key);
      return append(key, 'ADDED', 0, existing?.id ?? 0, encode(object), undefined);
    },
    update(key, object, expectedRevision) {
      const existing = live(key);
      if (!existing) throw new KeyNotFoundError(key);
      if (expectedRevision !== undefined && expectedRevision !== existing.id) {
        throw new RevisionConflictError(key, expectedRevision, existing.id);
      }
      const createRevision = existing.created ? existing.id : existing.create_revision;
      return append(key, 'MODIFIED', createRevision, existing.id, encode(object), existing);
    },
    delete(key, expectedRevision) {
      const existing = live(key);
      if (!existing) throw new KeyNotFoundError(key);
      if (expectedRevision !== undefined && expectedRevision !== existing.id) {
        throw new RevisionConflictError(key, expectedRevision, existing.id);
      }
      const createRevision = existing.created ? existing.id : existing.create_revision;
      return append(key, 'DELETED', createRevision, existing.id, existing.value, existing);
    },
    whenCommitted() {
      return batch ? batch.promise() : Promise.resolve();
    },
    flush() {
      const err = commit();
      if (err !== undefined) throw err;
    },
    compact(revision = current) {
      store.flush();
      const target = Math.min(revision, current);
      if (target <= compacted) return compacted;
      db.transaction(() => {
        compactSupersededStmt.run(target, target);
        setMetaStmt.run('compact_revision', target);
      })();
      compacted = target;
      cache.compacted(target);
      options.logger?.debug({ revision: target }, 'storage compacted');
      return compacted;
    },
    watch(prefix, fromRevision, listener) {
      checkRevision(fromRevision);
      // The highest revision this watcher has been given or asked to start after. `fromRevision` may lie inside
      // the open batch (a list read uncommitted rows): its events up to there are dropped when they commit.
      let seen = fromRevision;
      const give = (event: StoreEvent) => {
        if (event.revision <= seen) return;
        seen = event.revision;
        listener(event);
      };
      const backlog = cache.since(prefix, fromRevision);
      if (backlog) {
        for (const event of backlog) give(event);
      } else {
        // Only committed rows: the open batch's rows reach the watcher through the cache after COMMIT.
        for (const row of historyStmt.iterate(fromRevision, committed, prefix, prefixEnd(prefix))) {
          const type: StoreEventType = row.deleted ? 'DELETED' : row.created ? 'ADDED' : 'MODIFIED';
          give({
            type,
            key: row.name,
            object: decode(row.value, row.id),
            prevObject: row.prev && row.prev_id && !row.created ? decode(row.prev, row.prev_id) : undefined,
            revision: row.id,
          });
        }
      }
      return cache.subscribe(prefix, give);
    },
    close() {
      try {
        commit();
      } finally {
        cache.close();
        db.close();
      }
    },
  };
  return store;
}
