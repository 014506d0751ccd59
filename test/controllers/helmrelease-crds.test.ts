import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIGMAP_TEMPLATE } from '../helm/charts.js';
import {
  type HelmEnv,
  helmRelease,
  helmRepository,
  refreshRepository,
  startHelmEnv,
  waitForRelease,
} from './helmrelease-support.js';

const NS = 'default';

function crd(label: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  labels:
    generation: ${label}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`;
}

describe('HelmRelease CRD policies', () => {
  let env: HelmEnv;

  beforeAll(async () => {
    env = await startHelmEnv();
    const templates = { 'configmap.yaml': CONFIGMAP_TEMPLATE };
    await env.publish({ name: 'widgets', version: '1.0.0', templates, crds: { 'widgets.yaml': crd('one') } });
    await env.kube.create(helmRepository(env, NS));
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('creates CRDs on install and replaces them on upgrade with CreateReplace', async () => {
    await env.kube.create(helmRelease('widgets', NS, 'widgets', { upgrade: { crds: 'CreateReplace' } }));
    await waitForRelease(env, NS, 'widgets', 'True');
    const ref = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'widgets.example.com',
    };
    expect((await env.kube.get(ref)).metadata.labels?.generation).toBe('one');

    await env.publish({
      name: 'widgets',
      version: '1.1.0',
      templates: { 'configmap.yaml': CONFIGMAP_TEMPLATE },
      crds: { 'widgets.yaml': crd('two') },
    });
    await refreshRepository(env, NS);
    await waitForRelease(env, NS, 'widgets', 'True', (o) => o.status?.lastAttemptedRevision === '1.1.0');
    expect((await env.kube.get(ref)).metadata.labels?.generation).toBe('two');
  }, 60_000);
});
