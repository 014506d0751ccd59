import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCluster, startCluster } from '../../src/cluster/index.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON replies are inspected freely
type Json = any;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Json;
}

function request(
  cluster: RunningCluster,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const url = new URL(path, cluster.url);
  const payload =
    body === undefined
      ? undefined
      : typeof body === 'string' || Buffer.isBuffer(body)
        ? body
        : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: cluster.caCert,
        headers: {
          Authorization: `Bearer ${cluster.token}`,
          'Content-Type': 'application/json',
          ...(payload === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(payload)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads watch events until `count` arrived or the stream ends. */
function watch(cluster: RunningCluster, path: string, count: number, timeoutMs = 5000) {
  const url = new URL(path, cluster.url);
  return new Promise<{ type: string; object: Record<string, Json> }[]>((resolve, reject) => {
    const events: { type: string; object: Record<string, Json> }[] = [];
    let buffer = '';
    const req = https.get(
      url,
      { ca: cluster.caCert, headers: { Authorization: `Bearer ${cluster.token}` } },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          let nl = buffer.indexOf('\n');
          while (nl >= 0) {
            events.push(JSON.parse(buffer.slice(0, nl)));
            buffer = buffer.slice(nl + 1);
            nl = buffer.indexOf('\n');
          }
          if (events.length >= count) {
            clearTimeout(timer);
            req.destroy();
            resolve(events);
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve(events);
        });
      },
    );
    req.on('error', (err) => (events.length >= count ? undefined : reject(err)));
    const timer = setTimeout(() => {
      req.destroy();
      resolve(events);
    }, timeoutMs);
  });
}

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

describe('the embedded cluster API', () => {
  let cluster: RunningCluster;
  beforeAll(async () => {
    cluster = await startCluster({ memory: true, bookmarkIntervalMs: 200 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('requires the bearer token except on health and version endpoints', async () => {
    const anonymous = await request(cluster, 'GET', '/api/v1/namespaces', undefined, { Authorization: '' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const wrong = await request(cluster, 'GET', '/api', undefined, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const ok = await request(cluster, 'GET', path, undefined, { Authorization: '' });
      expect([ok.status, ok.text]).toEqual([200, 'ok']);
    }
    expect((await request(cluster, 'GET', '/version', undefined, { Authorization: '' })).json().major).toBe(
      '1',
    );
    expect((await request(cluster, 'GET', '/openapi/v2')).status).toBe(404);
  });

  it('answers bad input with the right Status and keeps serving', async () => {
    const malformed = await request(cluster, 'POST', CM, '{"apiVersion": "v1", "kind": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
    });
    const badYaml = await request(cluster, 'POST', CM, 'metadata: [unclosed', {
      'Content-Type': 'application/yaml',
    });
    expect(badYaml.status).toBe(400);
    const yaml = await request(
      cluster,
      'POST',
      CM,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\n',
      {
        'Content-Type': 'application/yaml',
      },
    );
    expect(yaml.status).toBe(201);
    const unknownKind = await request(cluster, 'GET', '/apis/example.com/v1/namespaces/default/gizmos');
    expect(unknownKind.status).toBe(404);
    expect(unknownKind.json().reason).toBe('NotFound');
    const badName = await request(cluster, 'POST', CM, cm('Not_Valid'));
    expect(badName.status).toBe(422);
    expect(badName.json()).toMatchObject({
      reason: 'Invalid',
      details: { name: 'Not_Valid', kind: 'ConfigMap' },
    });
    expect(badName.json().details.causes[0].field).toBe('metadata.name');
    const wrongKind = await request(cluster, 'POST', CM, { ...cm('x'), kind: 'Secret' });
    expect(wrongKind.status).toBe(400);
    const huge = await request(cluster, 'POST', CM, cm('huge', { blob: 'x'.repeat(4 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.json().reason).toBe('RequestEntityTooLarge');
    const missingNs = await request(cluster, 'POST', '/api/v1/namespaces/nowhere/configmaps', cm('x'));
    expect(missingNs.status).toBe(404);
    expect(missingNs.json().message).toBe('namespaces "nowhere" not found');
    const badSelector = await request(cluster, 'GET', `${CM}?fieldSelector=spec.color%3Dred`);
    expect(badSelector.status).toBe(400);
    const logs = await request(cluster, 'GET', '/api/v1/namespaces/default/pods/p/log');
    expect(logs.status).toBe(400);
    expect(logs.json().message).toContain('the embedded cluster runs no containers');
    const protobufOnly = await request(cluster, 'GET', CM, undefined, {
      Accept: 'application/vnd.kubernetes.protobuf',
    });
    expect(protobufOnly.status).toBe(406);
    expect((await request(cluster, 'GET', '/version')).status).toBe(200);
  });

  it('serves metadata-only lists, gets and watches for PartialObjectMetadata clients', async () => {
    const accept = {
      Accept:
        'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
    };
    await request(cluster, 'POST', CM, cm('meta-only', { secret: 'value' }));
    const list = (await request(cluster, 'GET', CM, undefined, accept)).json();
    expect(list.kind).toBe('PartialObjectMetadataList');
    const item = list.items.find((i: Json) => i.metadata.name === 'meta-only');
    expect(item).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: expect.any(Object),
    });
    const one = (
      await request(cluster, 'GET', `${CM}/meta-only`, undefined, {
        Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
      })
    ).json();
    expect(one.kind).toBe('PartialObjectMetadata');
    expect(one.data).toBeUndefined();
  });

  it('honours fieldValidation, dryRun and generateName', async () => {
    const body = { ...cm('strict'), spec: { nope: true } };
    const strict = await request(cluster, 'POST', `${CM}?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.json().message).toContain('unknown field "spec"');
    const warn = await request(cluster, 'POST', `${CM}?fieldValidation=Warn`, body);
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field');
    expect(warn.json().spec).toBeUndefined();
    const duplicated =
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"a":"1"}}';
    const strictDup = await request(cluster, 'POST', `${CM}?fieldValidation=Strict`, duplicated);
    expect(strictDup.status).toBe(400);
    expect(strictDup.json().message).toContain('duplicate field "metadata.name"');
    const warnDup = await request(cluster, 'POST', `${CM}?fieldValidation=Warn`, duplicated);
    expect(warnDup.status).toBe(201);
    expect(String(warnDup.headers.warning)).toContain('duplicate field');
    const dry = await request(cluster, 'POST', `${CM}?dryRun=All`, cm('dry'));
    expect(dry.status).toBe(201);
    expect((await request(cluster, 'GET', `${CM}/dry`)).status).toBe(404);
    const generated = await request(cluster, 'POST', CM, { ...cm(''), metadata: { generateName: 'gen-' } });
    expect(generated.status).toBe(201);
    expect(generated.json().metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect((await request(cluster, 'POST', `${CM}?dryRun=Some`, cm('x'))).status).toBe(400);
  });

  it('never loses a concurrent write: stale resourceVersions get 409, retries converge', async () => {
    const created = (await request(cluster, 'POST', CM, cm('counter', { n: '0' }))).json();
    const racers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        request(cluster, 'PUT', `${CM}/counter`, { ...created, data: { n: String(i + 1) } }),
      ),
    );
    expect(racers.filter((r) => r.status === 200)).toHaveLength(1);
    const conflicts = racers.filter((r) => r.status === 409);
    expect(conflicts).toHaveLength(7);
    expect(conflicts[0]!.json().reason).toBe('Conflict');
    expect(conflicts[0]!.json().message).toContain('the object has been modified');

    const increment = async () => {
      for (;;) {
        const current = (await request(cluster, 'GET', `${CM}/counter`)).json();
        const next = { ...current, data: { n: String(Number(current.data.n) + 1) } };
        const put = await request(cluster, 'PUT', `${CM}/counter`, next);
        if (put.status === 200) return;
        expect(put.status).toBe(409);
      }
    };
    const start = Number((await request(cluster, 'GET', `${CM}/counter`)).json().data.n);
    await Promise.all(Array.from({ length: 10 }, increment));
    expect(Number((await request(cluster, 'GET', `${CM}/counter`)).json().data.n)).toBe(start + 10);

    const unconditional = await request(cluster, 'PUT', `${CM}/counter`, cm('counter', { n: 'reset' }));
    expect(unconditional.status).toBe(200);
    expect(unconditional.json().data.n).toBe('reset');
  });

  it('pages lists with limit and continue, and expires old continue tokens after compaction', async () => {
    await request(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'paging' } });
    for (let i = 0; i < 5; i++) {
      await request(cluster, 'POST', '/api/v1/namespaces/paging/configmaps', cm(`item-${i}`));
    }
    const first = (await request(cluster, 'GET', '/api/v1/namespaces/paging/configmaps?limit=2')).json();
    expect(first.items.map((i: Json) => i.metadata.name)).toEqual(['item-0', 'item-1']);
    expect(first.metadata.continue).toBeTruthy();
    const second = (
      await request(
        cluster,
        'GET',
        `/api/v1/namespaces/paging/configmaps?limit=2&continue=${first.metadata.continue}`,
      )
    ).json();
    expect(second.items.map((i: Json) => i.metadata.name)).toEqual(['item-2', 'item-3']);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    await request(cluster, 'POST', '/api/v1/namespaces/paging/configmaps', cm('item-5'));
    const exact = (
      await request(
        cluster,
        'GET',
        `/api/v1/namespaces/paging/configmaps?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`,
      )
    ).json();
    // The namespace also holds the cluster's kube-root-ca.crt ConfigMap.
    expect(exact.items.map((i: Json) => i.metadata.name)).toEqual([
      'item-0',
      'item-1',
      'item-2',
      'item-3',
      'item-4',
      'kube-root-ca.crt',
    ]);
    cluster.store.compact();
    const gone = await request(
      cluster,
      'GET',
      `/api/v1/namespaces/paging/configmaps?limit=2&continue=${second.metadata.continue}`,
    );
    expect(gone.status).toBe(410);
    expect(gone.json().reason).toBe('Expired');
  });

  it('watches from a resourceVersion, sends bookmarks, and expires compacted versions', async () => {
    const start = (await request(cluster, 'GET', CM)).json().metadata.resourceVersion;
    await request(cluster, 'POST', CM, cm('watched-1'));
    await request(cluster, 'POST', CM, cm('watched-2'));
    await request(cluster, 'DELETE', `${CM}/watched-1`);
    const events = await watch(
      cluster,
      `${CM}?watch=true&resourceVersion=${start}&allowWatchBookmarks=true`,
      4,
    );
    expect(events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`)).toEqual([
      'ADDED watched-1',
      'ADDED watched-2',
      'DELETED watched-1',
      'BOOKMARK ',
    ]);
    const selected = await watch(
      cluster,
      `${CM}?watch=true&labelSelector=none%3Dsuch&timeoutSeconds=1`,
      1,
      5000,
    );
    expect(selected).toEqual([]);
    cluster.store.compact();
    const expired = await watch(cluster, `${CM}?watch=true&resourceVersion=${start}`, 1);
    expect(expired[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });

  it('serves WatchList: the current objects, the initial-events-end bookmark, then live events', async () => {
    await request(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'watchlist' } });
    await request(cluster, 'POST', '/api/v1/namespaces/watchlist/configmaps', cm('existing'));
    const stream = watch(
      cluster,
      '/api/v1/namespaces/watchlist/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%21%3Dkube-root-ca.crt',
      3,
    );
    await new Promise((r) => setTimeout(r, 100));
    await request(cluster, 'POST', '/api/v1/namespaces/watchlist/configmaps', cm('live'));
    const events = await stream;
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'existing' } } });
    expect(events[1]).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
    expect(events[2]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'live' } } });
    const refused = await request(cluster, 'GET', `${CM}?watch=1&sendInitialEvents=true`);
    expect(refused.status).toBe(422);
  });

  it('keeps status apart from the main resource and bumps generation on spec changes only', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gen' },
      spec: {
        selector: { matchLabels: { app: 'gen' } },
        template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
      status: { replicas: 9 },
    };
    const created = (await request(cluster, 'POST', path, deployment)).json();
    expect(created.metadata.generation).toBe(1);
    expect(created.status?.replicas).toBeUndefined();
    expect(created.spec.replicas).toBe(1);
    const status = await request(
      cluster,
      'PATCH',
      `${path}/gen/status`,
      { status: { replicas: 1 } },
      {
        'Content-Type': 'application/merge-patch+json',
      },
    );
    expect(status.json().status.replicas).toBe(1);
    expect(status.json().metadata.generation).toBe(1);
    const labelled = await request(
      cluster,
      'PATCH',
      `${path}/gen`,
      { metadata: { labels: { a: 'b' } }, status: { replicas: 5 } },
      {
        'Content-Type': 'application/merge-patch+json',
      },
    );
    expect(labelled.json().metadata.generation).toBe(1);
    expect(labelled.json().status.replicas).toBe(1);
    const scaled = await request(
      cluster,
      'PATCH',
      `${path}/gen/scale`,
      { spec: { replicas: 4 } },
      {
        'Content-Type': 'application/merge-patch+json',
      },
    );
    expect(scaled.json()).toMatchObject({ kind: 'Scale', spec: { replicas: 4 } });
    const after = (await request(cluster, 'GET', `${path}/gen`)).json();
    expect(after.spec.replicas).toBe(4);
    expect(after.metadata.generation).toBe(2);
  });

  it('deletes with finalizers: deletionTimestamp first, removal when the last finalizer goes', async () => {
    await request(cluster, 'POST', CM, {
      ...cm('held'),
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    });
    const deleting = await request(cluster, 'DELETE', `${CM}/held`);
    expect(deleting.status).toBe(200);
    expect(deleting.json().metadata.deletionTimestamp).toBeTruthy();
    const adding = await request(
      cluster,
      'PATCH',
      `${CM}/held`,
      { metadata: { finalizers: ['example.com/hold', 'x/y'] } },
      {
        'Content-Type': 'application/merge-patch+json',
      },
    );
    expect(adding.status).toBe(422);
    const release = await request(
      cluster,
      'PATCH',
      `${CM}/held`,
      { metadata: { finalizers: null } },
      {
        'Content-Type': 'application/merge-patch+json',
      },
    );
    expect(release.status).toBe(200);
    expect((await request(cluster, 'GET', `${CM}/held`)).status).toBe(404);
  });

  it('shares Events between core/v1 and events.k8s.io/v1, as the API server does', async () => {
    const created = await request(cluster, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'shared' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'example.com/controller',
      reportingInstance: 'controller-1',
      action: 'Reconcile',
      reason: 'Synced',
      note: 'all good',
      type: 'Normal',
      regarding: { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'default' },
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'all good' });
    const core = (await request(cluster, 'GET', '/api/v1/namespaces/default/events/shared')).json();
    expect(core).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      message: 'all good',
      reportingComponent: 'example.com/controller',
      involvedObject: { kind: 'ConfigMap', name: 'settings' },
    });
    const selected = (
      await request(
        cluster,
        'GET',
        '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dsettings',
      )
    ).json();
    expect(selected.items.map((e: Json) => e.metadata.name)).toEqual(['shared']);
    expect(selected.items[0].regarding.name).toBe('settings');
  });

  it('serves every version of a multi-version CRD from one stored copy', async () => {
    const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    const crd = await request(cluster, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          { name: 'v1beta1', served: true, storage: false, schema },
          { name: 'v1', served: true, storage: true, schema },
        ],
      },
    });
    expect(crd.status).toBe(201);
    expect(crd.json().status.storedVersions).toEqual(['v1']);
    const base = '/apis/example.com/%s/namespaces/default/gadgets';
    const created = await request(cluster, 'POST', base.replace('%s', 'v1beta1'), {
      apiVersion: 'example.com/v1beta1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { size: 1 },
    });
    expect(created.status).toBe(201);
    expect(created.json().apiVersion).toBe('example.com/v1beta1');
    expect(cluster.store.get('/registry/example.com/gadgets/default/g')?.object.apiVersion).toBe(
      'example.com/v1',
    );
    const v1 = (await request(cluster, 'GET', `${base.replace('%s', 'v1')}/g`)).json();
    expect(v1).toMatchObject({ apiVersion: 'example.com/v1', spec: { size: 1 } });
    const listed = (await request(cluster, 'GET', base.replace('%s', 'v1beta1'))).json();
    expect(listed.items.map((i: Json) => i.apiVersion)).toEqual(['example.com/v1beta1']);
  });

  it('deletes collections by label selector', async () => {
    await request(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'sweep' } });
    for (const [name, tier] of [
      ['a', 'web'],
      ['b', 'web'],
      ['c', 'db'],
    ] as const) {
      await request(cluster, 'POST', '/api/v1/namespaces/sweep/configmaps', {
        ...cm(name),
        metadata: { name, labels: { tier } },
      });
    }
    const swept = await request(
      cluster,
      'DELETE',
      '/api/v1/namespaces/sweep/configmaps?labelSelector=tier%3Dweb',
    );
    expect(swept.status).toBe(200);
    expect(swept.json().items.map((i: Json) => i.metadata.name)).toEqual(['a', 'b']);
    const left = (await request(cluster, 'GET', '/api/v1/namespaces/sweep/configmaps')).json();
    expect(left.items.map((i: Json) => i.metadata.name)).toEqual(['c', 'kube-root-ca.crt']);
    expect((await request(cluster, 'DELETE', '/api/v1/namespaces?labelSelector=x%3Dy')).status).toBe(405);
  });

  it('orphans dependents with the Orphan propagation policy', async () => {
    const owner = (await request(cluster, 'POST', CM, cm('orphan-owner'))).json();
    await request(cluster, 'POST', CM, {
      ...cm('orphan-child'),
      metadata: {
        name: 'orphan-child',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'orphan-owner', uid: owner.metadata.uid },
        ],
      },
    });
    await request(cluster, 'DELETE', `${CM}/orphan-owner`, { propagationPolicy: 'Orphan' });
    await cluster.settled();
    expect((await request(cluster, 'GET', `${CM}/orphan-owner`)).status).toBe(404);
    const child = await request(cluster, 'GET', `${CM}/orphan-child`);
    expect(child.status).toBe(200);
    expect(child.json().metadata.ownerReferences).toBeUndefined();
  });
});
