import { afterEach, describe, expect, it } from 'vitest';
import { ObjectService } from '../handlers/index.js';
import { createRegistry } from '../registry/index.js';
import { openStore } from '../storage/index.js';
import { ensureDefaultNamespaces, type GarbageCollector, startGarbageCollector } from './index.js';

describe('startGarbageCollector', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  const setup = (now = () => Date.now()) => {
    const store = openStore({ path: ':memory:' });
    const service = new ObjectService({ store, registry: createRegistry() });
    ensureDefaultNamespaces(service);
    const gc: GarbageCollector = startGarbageCollector(service, { now });
    cleanups.push(() => {
      gc.stop();
      service.close();
      store.close();
    });
    const cm = service.registry.lookup('', 'v1', 'configmaps')!;
    return { store, service, gc, cm };
  };

  it('deletes dependents whose owners are all gone, and unlinks owners that are gone when others remain', async () => {
    const { service, gc, cm } = setup();
    const a = service.create(cm, 'default', { metadata: { name: 'a' } }).object;
    const b = service.create(cm, 'default', { metadata: { name: 'b' } }).object;
    const ref = (o: typeof a) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: o.metadata.name,
      uid: o.metadata.uid,
    });
    service.create(cm, 'default', { metadata: { name: 'only-a', ownerReferences: [ref(a)] } });
    service.create(cm, 'default', { metadata: { name: 'a-and-b', ownerReferences: [ref(a), ref(b)] } });
    service.delete(cm, 'default', 'a');
    await gc.idle();
    expect(() => service.get(cm, 'default', 'only-a')).toThrow('not found');
    expect(service.get(cm, 'default', 'a-and-b').metadata.ownerReferences).toEqual([ref(b)]);
  });

  it('removes dependents created for an owner that never existed', async () => {
    const { service, gc, cm } = setup();
    service.create(cm, 'default', {
      metadata: {
        name: 'stray',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'nope' }],
      },
    });
    await gc.idle();
    expect(() => service.get(cm, 'default', 'stray')).toThrow('not found');
  });

  it('terminates a namespace deleted in the foreground: contents first, then the namespace', async () => {
    const { service, gc, cm } = setup();
    const ns = service.registry.lookup('', 'v1', 'namespaces')!;
    service.create(ns, undefined, { metadata: { name: 'fg' } });
    service.create(cm, 'fg', { metadata: { name: 'inside' } });
    const deleting = service.delete(ns, undefined, 'fg', { propagationPolicy: 'Foreground' }).object;
    expect(deleting.status.phase).toBe('Terminating');
    await gc.idle();
    expect(() => service.get(ns, undefined, 'fg')).toThrow('not found');
    expect(service.list(cm, 'fg').items).toEqual([]);
  });

  it('expires Events an hour after their last occurrence', () => {
    let clock = Date.parse('2026-01-01T12:00:00Z');
    const { service, gc } = setup(() => clock);
    const ev = service.registry.lookup('', 'v1', 'events')!;
    const event = (name: string, last: string) => ({
      metadata: { name },
      involvedObject: { kind: 'ConfigMap', name: 'x', namespace: 'default' },
      reason: 'Test',
      message: 'm',
      lastTimestamp: last,
    });
    service.create(ev, 'default', event('old', '2026-01-01T10:30:00Z'));
    service.create(ev, 'default', event('recent', '2026-01-01T11:30:00Z'));
    gc.expireEvents();
    expect(service.list(ev, 'default').items.map((e) => e.metadata.name)).toEqual(['recent']);
    clock += 3600_000;
    gc.expireEvents();
    expect(service.list(ev, 'default').items).toEqual([]);
  });
});
