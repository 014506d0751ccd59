import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImmutableFieldError, ResourceManager } from '../../src/apply/index.js';
import { type ApplyEnv, deployment, startApplyEnv, writes } from './support.js';

let env: ApplyEnv;
let rm: ResourceManager;

beforeAll(async () => {
  env = await startApplyEnv();
  rm = new ResourceManager({ kube: env.kube });
});

afterAll(async () => {
  await env?.stop();
});

const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: 'default' });

describe('immutable fields', () => {
  it('refuses an immutable selector change without force, naming the object and the field', async () => {
    await rm.applyAllStaged([deployment('sel', 'default')]);
    const before = await env.kube.get(ref('sel'));
    env.requests.length = 0;
    const err = await rm
      .applyAllStaged([deployment('sel', 'default', { selector: { app: 'sel', tier: 'web' } })])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImmutableFieldError);
    const ie = err as ImmutableFieldError;
    expect(ie.code).toBe('ImmutableField');
    expect(ie.fields).toEqual(['spec.selector']);
    expect(ie.message).toMatch(
      /^Deployment\/default\/sel dry-run failed \(Invalid\): spec\.selector is immutable: recreate the object by enabling force \(spec\.force: true or the annotation kustomize\.toolkit\.fluxcd\.io\/force: Enabled\): /,
    );
    expect(ie.changeSet?.entries).toEqual([]);
    expect(writes(env.requests)).toEqual([]);
    expect((await env.kube.get(ref('sel'))).metadata.uid).toBe(before.metadata.uid);
  });

  it('recreates the object when force is on', async () => {
    const before = await env.kube.get(ref('sel'));
    const changed = deployment('sel', 'default', { selector: { app: 'sel', tier: 'web' } });
    const cs = await rm.applyAllStaged([changed], { force: true });
    expect(cs.toString()).toBe('Deployment/default/sel created');
    const after = await env.kube.get(ref('sel'));
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect((after.spec as { selector: unknown }).selector).toEqual({
      matchLabels: { app: 'sel', tier: 'web' },
    });
    expect((await rm.applyAllStaged([changed], { force: true })).toString()).toBe(
      'Deployment/default/sel unchanged',
    );
  });

  it('recreates the object when it carries the force: Enabled annotation', async () => {
    const annotations = { 'kustomize.toolkit.fluxcd.io/force': 'enabled' };
    await rm.applyAllStaged([deployment('annotated', 'default', { annotations })]);
    const before = await env.kube.get(ref('annotated'));
    const changed = deployment('annotated', 'default', { annotations, selector: { app: 'other' } });
    const entry = await rm.apply(changed);
    expect(entry).toMatchObject({ subject: 'Deployment/default/annotated', action: 'created' });
    expect((await env.kube.get(ref('annotated'))).metadata.uid).not.toBe(before.metadata.uid);
  });

  it('diff reports an immutable change as created when forced, and as an error otherwise', async () => {
    const changed = deployment('sel', 'default', { selector: { app: 'third' } });
    expect((await rm.diff(changed, { force: true })).entry.action).toBe('created');
    await expect(rm.diff(changed)).rejects.toBeInstanceOf(ImmutableFieldError);
  });
});
