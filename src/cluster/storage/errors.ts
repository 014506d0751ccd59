import { SluiceError } from '../../api/index.js';

/** A create found a live object under the key. */
export class KeyExistsError extends SluiceError {
  /** The storage key that already holds an object. */
  readonly key: string;
  constructor(key: string) {
    super('AlreadyExists', `Storage key ${key} already exists`);
    this.key = key;
  }
}

/** An update or delete found no live object under the key. */
export class KeyNotFoundError extends SluiceError {
  /** The storage key that holds no object. */
  readonly key: string;
  constructor(key: string) {
    super('NotFound', `Storage key ${key} not found`);
    this.key = key;
  }
}

/** An update or delete named a revision that is no longer the key's latest one. */
export class RevisionConflictError extends SluiceError {
  /** The storage key written. */
  readonly key: string;
  /** The key's revision at the time of the write. */
  readonly actual: number;
  constructor(key: string, expected: number, actual: number) {
    super('Conflict', `Storage key ${key} changed: expected revision ${expected}, found ${actual}`);
    this.key = key;
    this.actual = actual;
  }
}

/** A read or watch asked for a revision that compaction has already removed. */
export class RevisionExpiredError extends SluiceError {
  /** The oldest revision still readable. */
  readonly compactRevision: number;
  constructor(requested: number, compactRevision: number) {
    super(
      'Expired',
      `Revision ${requested} has been compacted: the oldest available revision is ${compactRevision + 1}`,
    );
    this.compactRevision = compactRevision;
  }
}

/** Another process holds the database open. */
export class StoreLockedError extends SluiceError {
  constructor(path: string, cause?: unknown) {
    super(
      'StoreLocked',
      `Database ${path} is in use by another process: stop the other embedded cluster first`,
      {
        cause,
      },
    );
  }
}

/** SQLite rolled back an open batch of writes by itself (after an I/O error or a full disk). */
export class BatchRolledBackError extends SluiceError {
  /** The revision before the batch's first write, which the store is back at. */
  readonly revision: number;
  constructor(revision: number, cause?: unknown) {
    super('BatchRolledBack', `Storage batch after revision ${revision} was rolled back by SQLite`, { cause });
    this.revision = revision;
  }
}
