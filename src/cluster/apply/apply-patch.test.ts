import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type TypeNode, typeForKind, typeFromSchema } from '../../schema/index.js';
import {
  ApplyConflictError,
  ApplyRequestError,
  applyPatch,
  decodeFieldsV1,
  type ManagedFieldsEntry,
  resetFields,
  updateManagedFields,
} from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests navigate parsed YAML
type Obj = Record<string, any>;

const deployment = typeForKind('apps/v1', 'Deployment')!;
const service = typeForKind('v1', 'Service')!;
const configMap = typeForKind('v1', 'ConfigMap')!;

let clock = Date.parse('2026-01-01T00:00:00Z');
const now = () => new Date(clock);
const tick = () => {
  clock += 60_000;
};

function y(text: string): Obj {
  return parse(text) as Obj;
}

function apply(
  live: Obj | undefined,
  applied: Obj,
  manager: string,
  extra: Partial<{ force: boolean; type: TypeNode }> = {},
) {
  return applyPatch(live, applied, {
    manager,
    force: extra.force ?? false,
    type: extra.type ?? deployment,
    apiVersion: (applied.apiVersion as string) ?? 'apps/v1',
    now,
  });
}

/** Applies and expects a change; returns the stored object. */
function applied(
  live: Obj | undefined,
  config: Obj,
  manager: string,
  extra: Partial<{ force: boolean; type: TypeNode }> = {},
) {
  const r = apply(live, config, manager, extra);
  expect(r.changed).toBe(true);
  return r.object as Obj;
}

function entry(obj: Obj, manager: string, operation = 'Apply'): ManagedFieldsEntry | undefined {
  return (obj.metadata.managedFields as ManagedFieldsEntry[]).find(
    (e) => e.manager === manager && e.operation === operation,
  );
}

function owned(obj: Obj, manager: string, operation = 'Apply'): string[] {
  const e = entry(obj, manager, operation);
  return e ? decodeFieldsV1(e.fieldsV1).toStrings() : [];
}

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApplyConflictError) return err;
    throw err;
  }
  throw new Error('expected a conflict');
}

const web = y(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1
        ports:
        - containerPort: 80
`);

describe('applyPatch', () => {
  it('creates an object and records the Apply entry in FieldsV1 like the API server', () => {
    const obj = applied(undefined, web, 'kubectl');
    expect(obj.spec.replicas).toBe(2);
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"app"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': {
                      'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('returns the live object unchanged when an apply changes nothing', () => {
    const created = applied(undefined, web, 'kubectl');
    const live = { ...created, metadata: { ...created.metadata, resourceVersion: '7', uid: 'u1' } };
    tick();
    const r = apply(live, web, 'kubectl');
    expect(r.changed).toBe(false);
    expect(r.object).toBe(live);
    // A reordered but equal configuration is a no-op too.
    const reordered = y(`
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - ports: [{containerPort: 80}]
        image: nginx:1
        name: app
    metadata: {labels: {app: web}}
  selector: {matchLabels: {app: web}}
  replicas: 2
metadata: {labels: {app: web}, name: web, namespace: default}
`);
    expect(apply(live, reordered, 'kubectl').changed).toBe(false);
    // Naming the defaulted protocol claims one more field: not a no-op.
    reordered.spec.template.spec.containers[0].ports[0].protocol = 'TCP';
    expect(apply(live, reordered, 'kubectl').changed).toBe(true);
  });

  it('decides a no-op apply of a Deployment in well under a millisecond', () => {
    const live = applied(undefined, web, 'kubectl');
    for (let i = 0; i < 50; i++) apply(live, web, 'kubectl');
    const n = 300;
    const start = performance.now();
    for (let i = 0; i < n; i++) expect(apply(live, web, 'kubectl').changed).toBe(false);
    // About 0.2 ms on an idle machine; the bound only catches pathological slowdowns on a busy one.
    expect((performance.now() - start) / n).toBeLessThan(20);
  });

  it('keeps the entry time until the entry or the object changes', () => {
    const first = applied(undefined, web, 'kubectl');
    tick();
    const second = applied(first, { ...web, spec: { ...web.spec, replicas: 3 } }, 'kubectl');
    expect(entry(second, 'kubectl')?.time).toBe(now().toISOString().replace('.000Z', 'Z'));
    expect(entry(second, 'kubectl')?.time).not.toBe(entry(first, 'kubectl')?.time);
    tick();
    const other = applied(
      second,
      y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, annotations: {a: b}}}'),
      'other',
    );
    expect(entry(other, 'kubectl')?.time).toBe(entry(second, 'kubectl')?.time);
  });

  it('shares ownership when a second manager applies an equal value', () => {
    const live = applied(undefined, web, 'a');
    const r = apply(
      live,
      y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 2}}'),
      'b',
    );
    expect(r.changed).toBe(true);
    const obj = r.object as Obj;
    expect(owned(obj, 'b')).toEqual(['.spec.replicas']);
    expect(owned(obj, 'a')).toContain('.spec.replicas');
    // Dropping the field from one manager's configuration keeps it: the other still owns it.
    const after = applied(
      obj,
      y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {paused: false}}'),
      'b',
    );
    expect(after.spec.replicas).toBe(2);
    expect(owned(after, 'b')).toEqual(['.spec.paused']);
  });

  it('fails with a FieldManagerConflict when another applier owns a changed field', () => {
    const live = applied(undefined, web, 'a');
    const err = conflictOf(() =>
      apply(
        live,
        y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 5}}'),
        'b',
      ),
    );
    expect(err.status).toBe(409);
    expect(err.code).toBe('Conflict');
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.replicas');
    expect(err.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' },
    ]);
  });

  it('lists several conflicts grouped by manager', () => {
    let live = applied(undefined, web, 'a');
    live = applied(
      live,
      y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, annotations: {x: "1"}}}'),
      'b',
    );
    const err = conflictOf(() =>
      apply(
        live,
        y(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {x: "2"}}
spec:
  replicas: 9
  template: {spec: {containers: [{name: app, image: nginx:2}]}}
`),
        'c',
      ),
    );
    expect(err.message).toBe(
      'Apply failed with 3 conflicts: conflicts with "a":\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image\nconflicts with "b":\n- .metadata.annotations.x',
    );
    expect(err.causes.map((c) => c.field)).toEqual([
      '.spec.replicas',
      '.spec.template.spec.containers[name="app"].image',
      '.metadata.annotations.x',
    ]);
  });

  it('names Update managers with their API version in conflicts', () => {
    const created = updateManagedFields(undefined, web, {
      manager: 'kubectl-create',
      operation: 'Update',
      type: deployment,
      apiVersion: 'apps/v1',
      now,
    });
    const err = conflictOf(() =>
      apply(
        created,
        y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 1}}'),
        'ssa',
      ),
    );
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas',
    );
    expect(err.causes[0]!.message).toBe('conflict with "kubectl-create" using apps/v1');
  });

  it('moves ownership with force and drops entries left empty', () => {
    let live = applied(undefined, web, 'a');
    live = applied(
      live,
      y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {paused: true}}'),
      'b',
    );
    const forced = applied(
      live,
      y('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 7, paused: false}}'),
      'c',
      { force: true },
    );
    expect(forced.spec.replicas).toBe(7);
    expect(forced.spec.paused).toBe(false);
    expect(owned(forced, 'a')).not.toContain('.spec.replicas');
    expect(entry(forced, 'b')).toBeUndefined();
    expect(owned(forced, 'c')).toEqual(['.spec.paused', '.spec.replicas']);
    // The former owner no longer removes the field when it stops applying it: nothing changes.
    const { replicas: _, ...specWithout } = web.spec;
    const after = apply(forced, { ...web, spec: specWithout }, 'a');
    expect(after.changed).toBe(false);
    expect((after.object as Obj).spec.replicas).toBe(7);
  });

  it('removes fields, map entries and whole list items a manager stopped applying', () => {
    const two = y(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web, tier: front}, annotations: {note: x}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: nginx:1}
      - {name: sidecar, image: envoy:1}
`);
    const live = applied(undefined, two, 'kubectl');
    const one = y(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: nginx:1}
`);
    const obj = applied(live, one, 'kubectl');
    expect(obj.metadata.labels).toEqual({ app: web.metadata.labels.app });
    expect(obj.metadata.annotations).toBeUndefined();
    expect(obj.spec.replicas).toBeUndefined();
    expect(obj.spec.template.spec.containers).toEqual([{ name: 'app', image: 'nginx:1' }]);
    expect(owned(obj, 'kubectl')).not.toContain('.spec.template.spec.containers[name="sidecar"]');
  });

  it('keeps fields a manager stopped applying when an Update manager owns them', () => {
    const live = applied(undefined, web, 'kubectl');
    const scaled = updateManagedFields(
      live,
      { ...live, spec: { ...live.spec, replicas: 4 } },
      {
        manager: 'kubectl-scale',
        operation: 'Update',
        type: deployment,
        apiVersion: 'apps/v1',
        now,
        subresource: 'scale',
      },
    ) as Obj;
    expect(owned(scaled, 'kubectl')).not.toContain('.spec.replicas');
    expect(owned(scaled, 'kubectl-scale', 'Update')).toEqual(['.spec.replicas']);
    const { replicas: _, ...specWithout } = web.spec;
    const r = apply(scaled, { ...web, spec: specWithout }, 'kubectl');
    expect(r.changed).toBe(false);
    expect((r.object as Obj).spec.replicas).toBe(4);
  });

  it('merges list items keyed by (containerPort, protocol), defaulting the protocol', () => {
    const live = applied(
      undefined,
      y(`
apiVersion: v1
kind: Service
metadata: {name: dns}
spec:
  ports:
  - {port: 53, protocol: UDP, name: dns}
  - {port: 53, protocol: TCP, name: dns-tcp}
`),
      'a',
      { type: service },
    );
    const obj = applied(
      live,
      y(
        '{apiVersion: v1, kind: Service, metadata: {name: dns}, spec: {ports: [{port: 53, targetPort: 5353}]}}',
      ),
      'b',
      { type: service },
    );
    expect(obj.spec.ports).toEqual([
      { port: 53, protocol: 'UDP', name: 'dns' },
      { port: 53, protocol: 'TCP', name: 'dns-tcp', targetPort: 5353 },
    ]);
    expect(owned(obj, 'b')).toEqual([
      '.spec.ports[port=53,protocol="TCP"]',
      '.spec.ports[port=53,protocol="TCP"].port',
      '.spec.ports[port=53,protocol="TCP"].targetPort',
    ]);
  });

  it('merges sets item by item and removes only the items a manager dropped', () => {
    const base = '{apiVersion: v1, kind: ConfigMap, metadata: {name: c, finalizers: FIN}}';
    const withFin = (list: string) => y(base.replace('FIN', list));
    let live = applied(undefined, withFin('[a, b]'), 'one', { type: configMap });
    live = applied(live, withFin('[c, a]'), 'two', { type: configMap });
    expect(live.metadata.finalizers).toEqual(['c', 'a', 'b']);
    expect(entry(live, 'two')?.fieldsV1).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"c"': {} } },
    });
    live = applied(live, withFin('[b]'), 'one', { type: configMap });
    expect(live.metadata.finalizers).toEqual(['c', 'a', 'b']);
    live = applied(live, withFin('[]'), 'one', { type: configMap });
    expect(live.metadata.finalizers).toEqual(['c', 'a']);
  });

  it('replaces atomic lists whole and conflicts on them as one field', () => {
    const cmd = (list: string) =>
      y(
        `{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {spec: {containers: [{name: app, command: ${list}}]}}}}`,
      );
    const live = applied(undefined, cmd('[sh, -c, run]'), 'a');
    const err = conflictOf(() => apply(live, cmd('[run]'), 'b'));
    expect(err.causes.map((c) => c.field)).toEqual(['.spec.template.spec.containers[name="app"].command']);
    const forced = applied(live, cmd('[run]'), 'b', { force: true });
    expect(forced.spec.template.spec.containers[0].command).toEqual(['run']);
    expect(owned(forced, 'b')).toContain('.spec.template.spec.containers[name="app"].command');
  });

  it('merges list items in the order the configuration gives, keeping others in place', () => {
    const live = applied(
      undefined,
      y(
        '{apiVersion: apps/v1, kind: Deployment, metadata: {name: w}, spec: {template: {spec: {containers: [{name: a}, {name: b}, {name: c}]}}}}',
      ),
      'one',
    );
    const obj = applied(
      live,
      y(
        '{apiVersion: apps/v1, kind: Deployment, metadata: {name: w}, spec: {template: {spec: {containers: [{name: d}, {name: c}, {name: a}]}}}}',
      ),
      'two',
    );
    expect(obj.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['b', 'd', 'c', 'a']);
  });

  it('rejects an associative list with duplicate keys in the configuration', () => {
    expect(() =>
      apply(
        undefined,
        y(
          '{apiVersion: apps/v1, kind: Deployment, metadata: {name: w}, spec: {template: {spec: {containers: [{name: a}, {name: a}]}}}}',
        ),
        'x',
      ),
    ).toThrow(ApplyRequestError);
  });

  it('does not own the name, namespace or type of an object', () => {
    const obj = applied(
      undefined,
      y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: d}}'),
      'x',
      {
        type: configMap,
      },
    );
    expect(obj.metadata.managedFields).toBeUndefined();
    const withData = applied(
      obj,
      y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: v}}'),
      'x',
      {
        type: configMap,
      },
    );
    expect(owned(withData, 'x')).toEqual(['.data.k']);
  });

  it('gives fields of an object without managed fields to before-first-apply', () => {
    const legacy = y(
      '{apiVersion: v1, kind: ConfigMap, metadata: {name: c, uid: u}, data: {old: "1", keep: "2"}}',
    );
    const obj = applied(
      legacy,
      y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {old: "3"}}'),
      'x',
      {
        type: configMap,
        force: true,
      },
    );
    expect(owned(obj, 'before-first-apply', 'Update')).toEqual(['.data', '.data.keep']);
    expect(obj.data).toEqual({ old: '3', keep: '2' });
    expect(() =>
      apply(legacy, y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {old: "3"}}'), 'x', {
        type: configMap,
      }),
    ).toThrow(/conflict with "before-first-apply" using v1: .data.old/);
  });

  it('lets kubectl take fields its last-applied annotation holds, and keeps the annotation current', () => {
    const lastApplied = '{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"name":"c"}}\n';
    const csa = y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: "1", b: "2"}}');
    csa.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied };
    const live = updateManagedFields(undefined, csa, {
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      type: configMap,
      apiVersion: 'v1',
      now,
    });
    const obj = applied(
      live,
      y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: "9"}}'),
      'kubectl',
      {
        type: configMap,
      },
    );
    expect(obj.data).toEqual({ a: '9', b: '2' });
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      '{"apiVersion":"v1","data":{"a":"9"},"kind":"ConfigMap","metadata":{"name":"c"}}\n',
    );
    // Fields the annotation does not hold (b), or another manager changed since, still conflict.
    expect(() =>
      apply(live, y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {b: "3"}}'), 'kubectl', {
        type: configMap,
      }),
    ).toThrow(/conflict with "kubectl-client-side-apply" using v1: .data.b/);
  });

  it('treats server-set metadata and reset fields in the configuration as no change', () => {
    const created = applied(undefined, web, 'kubectl');
    const live = {
      ...created,
      metadata: { ...created.metadata, uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
      status: { replicas: 2 },
    };
    const config = structuredClone(web);
    config.metadata.creationTimestamp = null;
    config.status = { replicas: 0 };
    const r = applyPatch(live, config, {
      manager: 'kubectl',
      force: false,
      type: deployment,
      apiVersion: 'apps/v1',
      now,
      ignoredFields: resetFields(undefined, true),
    });
    expect(r.changed).toBe(false);
    expect(r.object).toBe(live);
    const onCreate = applyPatch(undefined, config, {
      manager: 'kubectl',
      force: false,
      type: deployment,
      apiVersion: 'apps/v1',
      now,
      ignoredFields: resetFields(undefined, true),
    }).object as Obj;
    expect(onCreate.status).toBeUndefined();
    expect('creationTimestamp' in onCreate.metadata).toBe(false);
  });

  it('does not take ownership of fields the endpoint resets', () => {
    const r = applyPatch(
      undefined,
      y(
        '{apiVersion: apps/v1, kind: Deployment, metadata: {name: w}, spec: {replicas: 1}, status: {replicas: 1}}',
      ),
      {
        manager: 'x',
        force: false,
        type: deployment,
        apiVersion: 'apps/v1',
        now,
        ignoredFields: resetFields(undefined, true),
      },
    );
    expect(owned(r.object as Obj, 'x')).toEqual(['.spec.replicas']);
  });
});

describe('applyPatch on custom resources', () => {
  const widget = typeFromSchema(
    y(`
type: object
properties:
  apiVersion: {type: string}
  kind: {type: string}
  metadata: {type: object}
  spec:
    type: object
    properties:
      tags: {type: array, items: {type: string}}
      endpoints:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [host, port]
        items:
          type: object
          properties:
            host: {type: string}
            port: {type: integer}
            weight: {type: integer}
      settings:
        type: object
        additionalProperties:
          type: object
          additionalProperties: {type: string}
      blob:
        type: object
        x-kubernetes-preserve-unknown-fields: true
      ref:
        type: object
        x-kubernetes-map-type: atomic
        properties:
          name: {type: string}
          kind: {type: string}
`) as never,
  );
  const cr = (spec: string) =>
    y(`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: ${spec}}`);

  it('treats lists without x-kubernetes-list-type as atomic', () => {
    const live = applied(undefined, cr('{tags: [a, b]}'), 'one', { type: widget });
    expect(owned(live, 'one')).toEqual(['.spec.tags']);
    expect(() => apply(live, cr('{tags: [c]}'), 'two', { type: widget })).toThrow(ApplyConflictError);
  });

  it('merges map lists by their composite keys', () => {
    let live = applied(undefined, cr('{endpoints: [{host: a, port: 1, weight: 1}]}'), 'one', {
      type: widget,
    });
    live = applied(live, cr('{endpoints: [{host: a, port: 2, weight: 5}]}'), 'two', { type: widget });
    expect(live.spec.endpoints).toEqual([
      { host: 'a', port: 1, weight: 1 },
      { host: 'a', port: 2, weight: 5 },
    ]);
    live = applied(live, cr('{}'), 'one', { type: widget });
    expect(live.spec.endpoints).toEqual([{ host: 'a', port: 2, weight: 5 }]);
  });

  it('merges nested granular maps key by key and removes only the dropped keys', () => {
    let live = applied(undefined, cr('{settings: {db: {host: h, port: "1"}}, blob: {x: {y: 1}}}'), 'one', {
      type: widget,
    });
    live = applied(live, cr('{settings: {db: {user: u}, cache: {size: "2"}}, blob: {x: {z: 2}}}'), 'two', {
      type: widget,
    });
    expect(live.spec.settings).toEqual({ db: { host: 'h', port: '1', user: 'u' }, cache: { size: '2' } });
    expect(live.spec.blob).toEqual({ x: { y: 1, z: 2 } });
    expect(owned(live, 'two')).toEqual([
      '.spec.blob.x',
      '.spec.blob.x.z',
      '.spec.settings.cache',
      '.spec.settings.cache.size',
      '.spec.settings.db',
      '.spec.settings.db.user',
    ]);
    live = applied(live, cr('{settings: {db: {host: h}}}'), 'one', { type: widget });
    expect(live.spec.settings).toEqual({ db: { host: 'h', user: 'u' }, cache: { size: '2' } });
    expect(live.spec.blob).toEqual({ x: { z: 2 } });
  });

  it('replaces atomic structs whole', () => {
    const live = applied(undefined, cr('{ref: {name: a, kind: K}}'), 'one', { type: widget });
    const obj = applied(live, cr('{ref: {name: b}}'), 'one', { type: widget });
    expect(obj.spec.ref).toEqual({ name: 'b' });
    expect(owned(obj, 'one')).toEqual(['.spec.ref']);
  });
});

describe('updateManagedFields', () => {
  const opts = (manager: string, extra: Obj = {}) => ({
    manager,
    operation: 'Update' as const,
    type: deployment,
    apiVersion: 'apps/v1',
    now,
    ...extra,
  });

  it('records a create with every field it set', () => {
    const obj = updateManagedFields(undefined, web, opts('kubectl-create'));
    const e = entry(obj, 'kubectl-create', 'Update')!;
    expect(e.apiVersion).toBe('apps/v1');
    expect((e.fieldsV1 as Obj)['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
    expect(decodeFieldsV1(e.fieldsV1).has(['f:spec', 'f:replicas'])).toBe(true);
  });

  it('takes changed fields from appliers without conflict and leaves the rest', () => {
    const live = applied(undefined, web, 'kubectl');
    tick();
    const next = { ...live, spec: { ...live.spec, replicas: 3 } };
    const obj = updateManagedFields(live, next, opts('editor'));
    expect(owned(obj, 'editor', 'Update')).toEqual(['.spec.replicas']);
    expect(owned(obj, 'kubectl')).not.toContain('.spec.replicas');
    expect(entry(obj, 'kubectl')?.time).toBe(entry(live, 'kubectl')?.time);
    // A later apply of the old value now conflicts with the editor.
    expect(() => apply(obj, web, 'kubectl')).toThrow(/conflict with "editor" using apps\/v1: .spec.replicas/);
  });

  it('keeps times and entries when an update changes nothing', () => {
    const live = updateManagedFields(undefined, web, opts('kubectl-create'));
    tick();
    const again = updateManagedFields(live, structuredClone(live), opts('kubectl-create'));
    expect(again.metadata).toEqual(live.metadata);
  });

  it('takes managed fields from the request, or clears them with an empty list', () => {
    const live = applied(undefined, web, 'kubectl');
    const cleared = updateManagedFields(
      live,
      { ...live, metadata: { ...live.metadata, managedFields: [] } },
      opts('x'),
    );
    expect((cleared.metadata as Obj).managedFields).toBeUndefined();
    const stays = updateManagedFields(
      live,
      { ...live, metadata: { ...live.metadata, managedFields: [] } },
      opts('x', { subresource: 'status' }),
    );
    expect((stays.metadata as Obj).managedFields).toEqual(live.metadata.managedFields);
  });

  it('merges the oldest of more than ten Update entries into ancient-changes', () => {
    let live: Obj = updateManagedFields(
      undefined,
      y('{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {init: v}}'),
      {
        ...opts('creator'),
        type: configMap,
        apiVersion: 'v1',
      },
    );
    live = updateManagedFields(
      live,
      { ...live, data: { ...live.data, k0: 'v' } },
      { ...opts('m0'), type: configMap, apiVersion: 'v1' },
    );
    for (let i = 1; i <= 11; i++) {
      tick();
      live = updateManagedFields(
        live,
        { ...live, data: { ...live.data, [`k${i}`]: 'v' } },
        { ...opts(`m${i}`), type: configMap, apiVersion: 'v1' },
      );
    }
    const managers = (live.metadata.managedFields as ManagedFieldsEntry[]).map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers[0]).toBe('ancient-changes');
    expect(managers).not.toContain('m0');
    expect(managers).toContain('m11');
    expect(owned(live, 'ancient-changes', 'Update')).toEqual([
      '.data',
      '.data.init',
      '.data.k0',
      '.data.k1',
      '.data.k2',
    ]);
  });

  it('removes deleted fields from every manager', () => {
    const live = applied(undefined, web, 'kubectl');
    const { labels: _, ...meta } = live.metadata;
    const obj = updateManagedFields(live, { ...live, metadata: meta }, opts('editor'));
    expect(owned(obj, 'kubectl')).not.toContain('.metadata.labels.app');
    expect(entry(obj, 'editor', 'Update')).toBeUndefined();
  });
});
