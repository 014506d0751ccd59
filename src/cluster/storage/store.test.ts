import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  KeyExistsError,
  KeyNotFoundError,
  openStore,
  RevisionConflictError,
  RevisionExpiredError,
  type Store,
  type StoreEvent,
  StoreLockedError,
} from './index.js';

const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data,
});

describe('openStore', () => {
  const open: Store[] = [];
  const dirs: string[] = [];
  const memory = (size?: number) => {
    const store = openStore({ path: ':memory:', watchCacheSize: size });
    open.push(store);
    return store;
  };
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('create assigns increasing revisions that become the resourceVersion', () => {
    const store = memory();
    const a = store.create('/registry/core/configmaps/default/a', cm('a'));
    const b = store.create('/registry/core/configmaps/default/b', cm('b'));
    expect(a.revision).toBe(1);
    expect(b.revision).toBe(2);
    expect(b.object.metadata.resourceVersion).toBe('2');
    expect(store.currentRevision).toBe(2);
    expect(() => store.create('/registry/core/configmaps/default/a', cm('a'))).toThrow(KeyExistsError);
  });

  it('update checks the expected revision and keeps the create revision', () => {
    const store = memory();
    const key = '/registry/core/configmaps/default/a';
    const a = store.create(key, cm('a'));
    const a2 = store.update(key, cm('a', { x: '1' }), a.revision);
    expect(a2.createRevision).toBe(a.revision);
    expect(() => store.update(key, cm('a', { x: '2' }), a.revision)).toThrow(RevisionConflictError);
    const a3 = store.update(key, cm('a', { x: '3' }));
    expect(store.get(key)?.object.data).toEqual({ x: '3' });
    expect(store.get(key)?.revision).toBe(a3.revision);
    expect(() => store.update('/registry/core/configmaps/default/zz', cm('zz'))).toThrow(KeyNotFoundError);
  });

  it('delete returns the last state at the deletion revision, and the key can be created again', () => {
    const store = memory();
    const key = '/registry/core/configmaps/default/a';
    store.create(key, cm('a', { v: '1' }));
    const gone = store.delete(key);
    expect(gone.object.data).toEqual({ v: '1' });
    expect(gone.object.metadata.resourceVersion).toBe(String(gone.revision));
    expect(store.get(key)).toBeUndefined();
    expect(store.create(key, cm('a')).createRevision).toBe(store.currentRevision);
  });

  it('list pages in key order, filters, and reads past revisions until compaction', () => {
    const store = memory();
    for (const name of ['c', 'a', 'b', 'd'])
      store.create(`/registry/core/configmaps/default/${name}`, cm(name));
    store.create('/registry/core/configmaps/other/x', cm('x'));
    store.create('/registry/core/secrets/default/s', cm('s'));
    const page1 = store.list('/registry/core/configmaps/default/', { limit: 2 });
    expect(page1.items.map((i) => i.object.metadata.name)).toEqual(['a', 'b']);
    expect(page1.more).toBe(true);
    const page2 = store.list('/registry/core/configmaps/default/', {
      limit: 2,
      after: page1.items[1]!.key,
      revision: page1.revision,
    });
    expect(page2.items.map((i) => i.object.metadata.name)).toEqual(['c', 'd']);
    expect(page2.more).toBe(false);
    expect(store.list('/registry/core/configmaps/').items).toHaveLength(5);
    const filtered = store.list('/registry/core/configmaps/', {
      filter: (o) => o.metadata.name > 'b',
      limit: 2,
    });
    expect(filtered.items.map((i) => i.object.metadata.name)).toEqual(['c', 'd']);
    expect(filtered.more).toBe(true);
    const before = store.currentRevision;
    store.delete('/registry/core/configmaps/default/a');
    expect(store.list('/registry/core/configmaps/default/').items).toHaveLength(3);
    expect(store.list('/registry/core/configmaps/default/', { revision: before }).items).toHaveLength(4);
    expect(store.count('/registry/core/configmaps/')).toBe(4);
    store.compact();
    expect(() => store.list('/registry/core/configmaps/default/', { revision: before })).toThrow(
      RevisionExpiredError,
    );
    expect(store.list('/registry/core/configmaps/default/').items).toHaveLength(3);
  });

  it('watch replays history after a revision, then streams new writes for its prefix', () => {
    const store = memory();
    const key = '/registry/core/configmaps/default/a';
    const first = store.create(key, cm('a'));
    store.update(key, cm('a', { x: '1' }));
    store.flush();
    const events: StoreEvent[] = [];
    const stop = store.watch('/registry/core/configmaps/', first.revision, (e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(['MODIFIED']);
    store.create('/registry/core/secrets/default/s', cm('s'));
    store.delete(key);
    store.flush();
    stop();
    store.create(key, cm('a'));
    store.flush();
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(events[0]!.prevObject?.data).toEqual({});
    expect(events[0]!.object.data).toEqual({ x: '1' });
    expect(events[1]!.object.metadata.resourceVersion).toBe(String(events[1]!.revision));
  });

  it('watch reads from the log beyond the ring and expires below the compaction', () => {
    const store = memory(2);
    const key = '/registry/core/configmaps/default/a';
    store.create(key, cm('a'));
    for (let i = 0; i < 5; i++) store.update(key, cm('a', { i: String(i) }));
    store.flush();
    const events: StoreEvent[] = [];
    store.watch('/registry/', 1, (e) => events.push(e))();
    expect(events.map((e) => e.revision)).toEqual([2, 3, 4, 5, 6]);
    expect(events[0]!.prevObject?.metadata.resourceVersion).toBe('1');
    store.compact(4);
    expect(() => store.watch('/registry/', 2, () => {})).toThrow(RevisionExpiredError);
    const later: StoreEvent[] = [];
    store.watch('/registry/', 4, (e) => later.push(e))();
    expect(later.map((e) => e.revision)).toEqual([5, 6]);
  });

  it('keeps objects, revisions and the compaction point across reopening a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
    dirs.push(dir);
    const path = join(dir, 'state.db');
    const s1 = openStore({ path });
    s1.create('/registry/core/configmaps/default/a', cm('a'));
    s1.create('/registry/core/configmaps/default/b', cm('b'));
    s1.delete('/registry/core/configmaps/default/b');
    s1.compact();
    s1.close();
    const s2 = openStore({ path });
    open.push(s2);
    expect(s2.currentRevision).toBe(3);
    expect(s2.compactRevision).toBe(3);
    expect(s2.get('/registry/core/configmaps/default/a')?.revision).toBe(1);
    expect(s2.create('/registry/core/configmaps/default/c', cm('c')).revision).toBe(4);
  });

  it('refuses a second opening of the same file while the first is open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
    dirs.push(dir);
    const path = join(dir, 'state.db');
    const first = openStore({ path });
    open.push(first);
    first.create('/registry/core/configmaps/default/a', cm('a'));
    expect(() => openStore({ path })).toThrow(StoreLockedError);
    first.close();
    open.splice(open.indexOf(first), 1);
    const again = openStore({ path });
    open.push(again);
    expect(again.get('/registry/core/configmaps/default/a')).toBeDefined();
  });
  it('writes of one turn share one batch: readable at once, delivered to watchers in order after the commit', async () => {
    const store = memory();
    const events: StoreEvent[] = [];
    store.watch('/registry/', 0, (e) => events.push(e));
    expect(store.pending).toBe(false);
    const a = store.create('/registry/core/configmaps/default/a', cm('a'));
    expect(store.pending).toBe(true);
    const committed = store.whenCommitted();
    store.update(a.key, cm('a', { x: '1' }), a.revision);
    store.create('/registry/core/configmaps/default/b', cm('b'));
    store.delete('/registry/core/configmaps/default/b');
    expect(store.whenCommitted()).toBe(committed);
    expect(store.get(a.key)?.object.data).toEqual({ x: '1' });
    expect(store.currentRevision).toBe(4);
    expect(store.committedRevision).toBe(0);
    expect(events).toEqual([]);
    await committed;
    expect(store.pending).toBe(false);
    expect(store.committedRevision).toBe(4);
    expect(events.map((e) => `${e.type} ${e.revision}`)).toEqual([
      'ADDED 1',
      'MODIFIED 2',
      'ADDED 3',
      'DELETED 4',
    ]);
    await store.whenCommitted();
    store.create('/registry/core/configmaps/default/c', cm('c'));
    await store.whenCommitted();
    expect(events.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a write that fails inside a batch leaves the other writes of the batch intact', async () => {
    const store = memory();
    const events: StoreEvent[] = [];
    store.watch('/registry/', 0, (e) => events.push(e));
    const a = store.create('/registry/core/configmaps/default/a', cm('a'));
    expect(() => store.create(a.key, cm('a'))).toThrow(KeyExistsError);
    const b = store.create('/registry/core/configmaps/default/b', cm('b'));
    expect(() => store.update(b.key, cm('b', { x: '1' }), a.revision)).toThrow(RevisionConflictError);
    expect(() => store.delete('/registry/core/configmaps/default/zz')).toThrow(KeyNotFoundError);
    const b2 = store.update(b.key, cm('b', { x: '2' }), b.revision);
    await store.whenCommitted();
    expect(store.list('/registry/').items.map((i) => [i.key, i.revision])).toEqual([
      [a.key, 1],
      [b.key, b2.revision],
    ]);
    expect(events.map((e) => `${e.type} ${e.revision}`)).toEqual(['ADDED 1', 'ADDED 2', 'MODIFIED 3']);
  });

  it('a watch from a revision inside the open batch gets each later event once', async () => {
    for (const size of [100, 1]) {
      // A ring of one event sends the watch to the log for its backlog, which must skip uncommitted rows.
      const store = memory(size);
      const prefix = '/registry/core/configmaps/default/';
      store.create(`${prefix}a`, cm('a'));
      store.create(`${prefix}b`, cm('b'));
      store.flush();
      store.update(`${prefix}a`, cm('a', { x: '1' }));
      const listed = store.list(prefix);
      expect(listed.revision).toBe(3);
      const fromList: StoreEvent[] = [];
      const fromStart: StoreEvent[] = [];
      store.watch(prefix, listed.revision, (e) => fromList.push(e));
      store.watch(prefix, 1, (e) => fromStart.push(e));
      expect(fromList).toEqual([]);
      expect(fromStart.map((e) => e.revision)).toEqual([2]);
      store.update(`${prefix}b`, cm('b', { x: '1' }));
      await store.whenCommitted();
      store.delete(`${prefix}a`);
      store.flush();
      expect(fromList.map((e) => e.revision)).toEqual([4, 5]);
      expect(fromStart.map((e) => e.revision)).toEqual([2, 3, 4, 5]);
    }
  });

  it('listeners that write start the next batch, and every watcher still sees revision order', async () => {
    const store = memory();
    const seen: number[] = [];
    store.watch('/registry/core/configmaps/', 0, (e) => {
      if (e.type === 'ADDED')
        store.create(`/registry/core/secrets/default/${e.object.metadata.name}`, cm('s'));
    });
    store.watch('/registry/', 0, (e) => {
      seen.push(e.revision);
      // A flush from inside delivery commits at once but must not deliver ahead of the current batch.
      store.flush();
    });
    store.create('/registry/core/configmaps/default/a', cm('a'));
    store.create('/registry/core/configmaps/default/b', cm('b'));
    await store.whenCommitted();
    await store.whenCommitted();
    expect(store.pending).toBe(false);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('close commits the open batch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
    dirs.push(dir);
    const path = join(dir, 'state.db');
    const s1 = openStore({ path });
    s1.create('/registry/core/configmaps/default/a', cm('a'));
    expect(s1.pending).toBe(true);
    s1.close();
    const s2 = openStore({ path });
    open.push(s2);
    expect(s2.get('/registry/core/configmaps/default/a')?.revision).toBe(1);
  });
  it('a failed COMMIT rolls the batch back, fails its waiters, delivers nothing and leaves the store usable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
    dirs.push(dir);
    const path = join(dir, 'state.db');
    const store = openStore({ path });
    open.push(store);
    const big = (name: string) => cm(name, { x: 'y'.repeat(1000) });
    store.create('/registry/core/configmaps/default/a', big('a'));
    store.flush();
    const events: StoreEvent[] = [];
    store.watch('/registry/', 0, (e) => events.push(e));
    // A file size limit at the WAL's current size makes the next COMMIT's write fail (EFBIG), as a full disk would.
    const ignore = () => {};
    process.on('SIGXFSZ', ignore);
    execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${statSync(`${path}-wal`).size}:`]);
    let failure: unknown;
    try {
      store.create('/registry/core/configmaps/default/b', big('b'));
      store.create('/registry/core/configmaps/default/c', big('c'));
      expect(store.currentRevision).toBe(3);
      failure = await store.whenCommitted().then(
        () => undefined,
        (err: unknown) => err,
      );
    } finally {
      execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=unlimited:']);
      process.off('SIGXFSZ', ignore);
    }
    expect((failure as { code?: string })?.code).toMatch(/^SQLITE_(IOERR|FULL)/);
    expect(store.pending).toBe(false);
    expect(store.currentRevision).toBe(1);
    expect(store.get('/registry/core/configmaps/default/b')).toBeUndefined();
    expect(events.map((e) => e.revision)).toEqual([1]);
    // The revisions of the failed batch are not given out again.
    expect(store.create('/registry/core/configmaps/default/d', big('d')).revision).toBe(4);
    await store.whenCommitted();
    expect(events.map((e) => e.revision)).toEqual([1, 4]);
    store.close();
    open.splice(open.indexOf(store), 1);
    const again = openStore({ path });
    open.push(again);
    expect(again.list('/registry/').items.map((i) => i.revision)).toEqual([1, 4]);
  });
});
