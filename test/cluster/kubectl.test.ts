import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

const APP = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels: {app: shop, tier: web}
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
`;

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              color: {type: string}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    subresources: {status: {}}
`;

describe('kubectl 1.35 against the embedded cluster', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster();
    await c.kubectlOk(['create', 'namespace', 'shop']);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('version and api-resources describe the server', async () => {
    const version = JSON.parse(await c.kubectlOk(['version', '-o', 'json']));
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.35\./);
    const resources = await c.kubectlOk(['api-resources']);
    expect(resources).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(resources).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  it('create -f stores objects that get shows as tables, YAML, JSON, by label and across namespaces', async () => {
    expect(await c.kubectlOk(['create', '-f', '-'], { input: APP })).toContain('deployment.apps/web created');
    const table = await c.kubectlOk(['get', 'deployments', '-n', 'shop']);
    expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    expect(table).toMatch(/^web\s+[0-2]\/2\s+/m);
    const yaml = await c.kubectlOk(['get', 'configmap', 'settings', '-n', 'shop', '-o', 'yaml']);
    expect(yaml).toContain('color: blue');
    expect(yaml).toMatch(/uid: [0-9a-f-]{36}/);
    const json = JSON.parse(await c.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(json.metadata.generation).toBe(1);
    expect(json.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    expect(await c.kubectlOk(['get', 'cm', '-n', 'shop', '-l', 'tier=web', '-o', 'name'])).toBe(
      'configmap/settings\n',
    );
    expect(await c.kubectlOk(['get', 'cm', '-n', 'shop', '-l', 'tier=db', '-o', 'name'])).toBe('');
    const all = await c.kubectlOk(['get', 'namespaces']);
    expect(all).toMatch(/^shop\s+Active\s+/m);
    const across = await c.kubectlOk(['get', 'configmaps', '-A']);
    expect(across).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    expect(across).toMatch(/^shop\s+settings\s+1\s+/m);
    const created = await c.kubectl(['create', '-f', '-'], { input: APP });
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain('AlreadyExists');
  });

  it('label, annotate, patch and replace change objects and bump generation only on spec changes', async () => {
    await c.kubectlOk(['label', 'deploy', 'web', '-n', 'shop', 'team=blue']);
    await c.kubectlOk(['annotate', 'deploy', 'web', '-n', 'shop', 'note=hello']);
    let d = JSON.parse(await c.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(d.metadata.labels.team).toBe('blue');
    expect(d.metadata.annotations.note).toBe('hello');
    expect(d.metadata.generation).toBe(1);
    await c.kubectlOk([
      'patch',
      'deploy',
      'web',
      '-n',
      'shop',
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":3}}',
    ]);
    await c.kubectlOk([
      'patch',
      'cm',
      'settings',
      '-n',
      'shop',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/data/color","value":"green"}]',
    ]);
    d = JSON.parse(await c.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(d.spec.replicas).toBe(3);
    expect(d.metadata.generation).toBe(2);
    const cm = JSON.parse(await c.kubectlOk(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    expect(cm.data.color).toBe('green');
    cm.data.size = 'large';
    await c.kubectlOk(['replace', '-f', '-'], { input: JSON.stringify(cm) });
    const stale = await c.kubectl(['replace', '-f', '-'], { input: JSON.stringify(cm) });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('the object has been modified');
    const after = JSON.parse(await c.kubectlOk(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    expect(after.data).toEqual({ color: 'green', size: 'large' });
  });

  it('apply works client-side and server-side, and a repeated apply changes nothing', async () => {
    const manifest = (color: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: shop}\ndata: {color: ${color}}\n`;
    expect(await c.kubectlOk(['apply', '-f', '-'], { input: manifest('red') })).toContain('created');
    expect(await c.kubectlOk(['apply', '-f', '-'], { input: manifest('blue') })).toContain('configured');
    expect(await c.kubectlOk(['apply', '-f', '-'], { input: manifest('blue') })).toContain('unchanged');
    const ssa = (color: string) =>
      c.kubectlOk(['apply', '--server-side', '-f', '-'], { input: manifest(color) });
    expect(await ssa('green')).toContain('serverside-applied');
    const before = JSON.parse(await c.kubectlOk(['get', 'cm', 'applied', '-n', 'shop', '-o', 'json']));
    await ssa('green');
    const after = JSON.parse(
      await c.kubectlOk(['get', 'cm', 'applied', '-n', 'shop', '-o', 'json', '--show-managed-fields']),
    );
    expect(after.data.color).toBe('green');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.managedFields.map((m: { manager: string }) => m.manager)).toContain('kubectl');
  });

  it('get -w prints objects as they arrive', async () => {
    const watch = c.kubectlStream(['get', 'configmaps', '-n', 'shop', '-w']);
    try {
      await watch.waitFor('settings');
      await c.kubectlOk(['create', 'configmap', 'arrived', '-n', 'shop', '--from-literal=a=b']);
      await watch.waitFor(/arrived\s+1\s+/);
    } finally {
      await watch.stop();
    }
  });

  it('delete --wait cascades to owned objects, in the background and in the foreground', async () => {
    for (const policy of ['background', 'foreground']) {
      await c.kubectlOk(['create', 'configmap', `owner-${policy}`, '-n', 'shop']);
      const uid = (
        await c.kubectlOk(['get', 'cm', `owner-${policy}`, '-n', 'shop', '-o', 'jsonpath={.metadata.uid}'])
      ).trim();
      const child = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: `child-${policy}`,
          namespace: 'shop',
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: `owner-${policy}`, uid, blockOwnerDeletion: true },
          ],
        },
      };
      await c.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(child) });
      await c.kubectlOk([
        'delete',
        'cm',
        `owner-${policy}`,
        '-n',
        'shop',
        `--cascade=${policy}`,
        '--wait',
        '--timeout=20s',
      ]);
      await c.cluster.settled();
      const left = await c.kubectl(['get', 'cm', `child-${policy}`, '-n', 'shop']);
      expect(left.stderr).toContain('NotFound');
    }
  });

  it('wait --for=condition and --for=delete follow status and deletion', async () => {
    await c.kubectlOk(['apply', '--server-side=false', '-f', '-'], { input: CRD }).catch(async () => {
      await c.kubectlOk(['create', '-f', '-'], { input: CRD });
    });
    await c.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
    await c.kubectlOk(['create', '-f', '-'], {
      input:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: gadget, namespace: shop}\nspec: {size: 1}\n',
    });
    const waiting = c.kubectl([
      'wait',
      '--for=condition=Ready',
      'widget/gadget',
      '-n',
      'shop',
      '--timeout=20s',
    ]);
    await new Promise((r) => setTimeout(r, 500));
    await c.kubectlOk([
      'patch',
      'widget',
      'gadget',
      '-n',
      'shop',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    const waited = await waiting;
    expect(waited.stdout).toContain('condition met');
    const gone = c.kubectl(['wait', '--for=delete', 'widget/gadget', '-n', 'shop', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    await c.kubectlOk(['delete', 'widget', 'gadget', '-n', 'shop', '--wait=false']);
    expect((await gone).code).toBe(0);
  });

  it('serves custom resources with printer columns, patches and deletes them', async () => {
    await c.kubectl(['create', '-f', '-'], { input: CRD });
    await c.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
    await c.kubectlOk(['create', '-f', '-'], {
      input:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: shop}\nspec: {size: 3, color: red}\n',
    });
    const table = await c.kubectlOk(['get', 'wd', '-n', 'shop']);
    expect(table).toMatch(/^NAME\s+SIZE\s+COLOR/m);
    expect(table).toMatch(/^w1\s+3\s+red/m);
    await c.kubectlOk([
      'patch',
      'widget',
      'w1',
      '-n',
      'shop',
      '--type',
      'merge',
      '-p',
      '{"spec":{"size":5}}',
    ]);
    const w = JSON.parse(await c.kubectlOk(['get', 'widget', 'w1', '-n', 'shop', '-o', 'json']));
    expect(w.spec.size).toBe(5);
    expect(w.metadata.generation).toBe(2);
    const smp = await c.kubectl([
      'patch',
      'widget',
      'w1',
      '-n',
      'shop',
      '--type',
      'strategic',
      '-p',
      '{"spec":{"size":6}}',
    ]);
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toContain('the body of the request was in an unknown format');
    await c.kubectlOk(['delete', 'widget', 'w1', '-n', 'shop']);
    expect(await c.kubectlOk(['get', 'widgets', '-n', 'shop', '-o', 'name'])).toBe('');
  });

  it('get events lists recorded events', async () => {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'shop' },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-1 to 3',
      type: 'Normal',
      count: 1,
      firstTimestamp: `${new Date().toISOString().slice(0, 19)}Z`,
      lastTimestamp: `${new Date().toISOString().slice(0, 19)}Z`,
    };
    await c.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(event) });
    const events = await c.kubectlOk(['get', 'events', '-n', 'shop']);
    expect(events).toContain('ScalingReplicaSet');
    const selected = await c.kubectlOk([
      'get',
      'events',
      '-n',
      'shop',
      '--field-selector',
      'involvedObject.name=web,reason=ScalingReplicaSet',
      '-o',
      'name',
    ]);
    expect(selected.trim()).toBe('event/web.1');
  });

  it('logs and exec explain that the embedded cluster runs no containers', async () => {
    await c.kubectlOk(['run', 'runner', '-n', 'shop', '--image=nginx']);
    for (const args of [
      ['logs', 'runner'],
      ['exec', 'runner', '--', 'ls'],
    ]) {
      const result = await c.kubectl(['-n', 'shop', ...args]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('the embedded cluster runs no containers');
    }
    await c.kubectlOk(['delete', 'pod', 'runner', '-n', 'shop', '--wait']);
  });

  it('deleting a CRD removes its custom resources', async () => {
    await c.kubectl(['create', '-f', '-'], { input: CRD });
    await c.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
    await c.kubectlOk(['create', '-f', '-'], {
      input:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: doomed, namespace: shop}\nspec: {size: 1}\n',
    });
    await c.kubectlOk(['delete', 'crd', 'widgets.example.com', '--wait', '--timeout=30s']);
    expect(c.cluster.store.list('/registry/example.com/').items).toEqual([]);
    const resources = await c.kubectlOk(['api-resources']);
    expect(resources).not.toContain('widgets');
  });

  it('deleting a namespace removes what is in it', async () => {
    await c.kubectlOk(['create', 'namespace', 'doomed']);
    await c.kubectlOk(['create', 'configmap', 'inside', '-n', 'doomed', '--from-literal=a=b']);
    await c.kubectlOk(['create', 'deployment', 'app', '-n', 'doomed', '--image=busybox']);
    await c.kubectlOk(['delete', 'namespace', 'doomed', '--wait', '--timeout=30s']);
    const ns = await c.kubectl(['get', 'namespace', 'doomed']);
    expect(ns.stderr).toContain('NotFound');
    expect(await c.kubectlOk(['get', 'configmaps', '-n', 'doomed', '-o', 'name'])).toBe('');
    const stored = c.cluster.store
      .list('/registry/')
      .items.filter((i) => i.object.metadata?.namespace === 'doomed');
    expect(stored).toEqual([]);
  });
});
