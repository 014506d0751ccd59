import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceManager, WatchHub } from '../../src/apply/index.js';
import type { KubeObject } from '../../src/kube/index.js';
import { type ApplyEnv, startApplyEnv, widget, widgetCrd } from './support.js';

let env: ApplyEnv;

beforeAll(async () => {
  env = await startApplyEnv();
  await new ResourceManager({ kube: env.kube }).applyAllStaged([widgetCrd()], { waitIntervalMs: 100 });
});

afterAll(async () => {
  await env?.stop();
});

const WIDGET = { apiVersion: 'example.sluice.dev/v1', kind: 'Widget' };

function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('WatchHub', () => {
  it('reports changes of followed objects only, and deletions as null', async () => {
    const hub = new WatchHub(env.kube, { lingerMs: 0 });
    const seen: [string, KubeObject | null][] = [];
    const stop = await hub.follow(WIDGET, 'default', new Set(['hub-a']), {
      changed: (name, obj) => seen.push([name, obj]),
      reset: () => undefined,
    });
    await env.kube.apply(widget('hub-a', 'default', { size: 1 }), { fieldManager: 'test' });
    await env.kube.apply(widget('hub-b', 'default', { size: 1 }), { fieldManager: 'test' });
    await env.kube.delete({ ...WIDGET, name: 'hub-a', namespace: 'default' });
    await until(() => seen.length >= 2);
    stop();
    hub.close();
    expect(
      seen.map(([name, obj]) => `${name} ${obj ? (obj.spec as { size?: number }).size : 'deleted'}`),
    ).toEqual(['hub-a 1', 'hub-a deleted']);
  });

  it('tells its subscribers to read again when its watch lost track after a compaction', async () => {
    const hub = new WatchHub(env.kube, { lingerMs: 0, watchSeconds: 1 });
    let resets = 0;
    const stop = await hub.follow(WIDGET, 'elsewhere', new Set(['quiet']), {
      changed: () => undefined,
      reset: () => {
        resets++;
      },
    });
    // Writes the watch does not see, then a compaction past the revision it would resume from.
    await env.kube.apply(widget('noise', 'default'), { fieldManager: 'test' });
    env.tc.cluster.store.compact();
    await until(() => resets > 0);
    stop();
    hub.close();
    expect(resets).toBeGreaterThan(0);
  });
});
