import {
  createHttpTransport,
  createKubeClient,
  type HttpRequest,
  type KubeClient,
  type KubeObject,
  type KubeTransport,
  loadKubeConfig,
} from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

/** One request the client sent: method, path and query. */
export interface SentRequest {
  method: HttpRequest['method'];
  path: string;
}

/** An embedded cluster with a client whose requests are recorded. */
export interface ApplyEnv {
  tc: TestCluster;
  kube: KubeClient;
  /** Requests sent so far (cleared with `requests.length = 0`). */
  requests: SentRequest[];
  stop(): Promise<void>;
}

/** Starts an embedded cluster and a client over a real HTTP transport that records each request it sends. */
export async function startApplyEnv(): Promise<ApplyEnv> {
  const tc = await startTestCluster();
  const requests: SentRequest[] = [];
  const inner = createHttpTransport(loadKubeConfig({ path: tc.kubeconfigPath }));
  const transport: KubeTransport = {
    get server() {
      return inner.server;
    },
    request(req) {
      requests.push({ method: req.method, path: req.path });
      return inner.request(req);
    },
    stream(req) {
      requests.push({ method: req.method, path: req.path });
      return inner.stream(req);
    },
    close: () => inner.close(),
  };
  const kube = createKubeClient({ transport }, { fieldManager: 'sluice-test' });
  return {
    tc,
    kube,
    requests,
    async stop() {
      kube.close();
      await tc.stop();
    },
  };
}

/** Requests about objects (discovery left out), sorted by method. */
export function objectRequests(requests: readonly SentRequest[]): SentRequest[] {
  return requests
    .filter((r) => !/^\/(api|apis\/[^/]+)\/[^/]+$/.test(r.path))
    .sort((a, b) => a.method.localeCompare(b.method));
}

/** Writes (non-GET, non-dry-run requests) among `requests`. */
export function writes(requests: readonly SentRequest[]): SentRequest[] {
  return requests.filter((r) => r.method !== 'GET' && !r.path.includes('dryRun=All'));
}

/** A ConfigMap. */
export function configMap(
  name: string,
  namespace: string,
  data: Record<string, string>,
  meta: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...meta }, data };
}

/** A one-replica Deployment of `app: <name>`, with extra pod labels in its selector when given. */
export function deployment(
  name: string,
  namespace: string,
  options: { selector?: Record<string, string>; annotations?: Record<string, string>; image?: string } = {},
): KubeObject {
  const labels = options.selector ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: options.image ?? 'ghcr.io/stefanprodan/podinfo:6.5.0' }] },
      },
    },
  };
}

/** A namespaced CRD `widgets.example.sluice.dev` (kind Widget, v1) with a status subresource. */
export function widgetCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.sluice.dev' },
    spec: {
      group: 'example.sluice.dev',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

/** A Widget custom resource. */
export function widget(name: string, namespace: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'example.sluice.dev/v1', kind: 'Widget', metadata: { name, namespace }, spec };
}

/** A Namespace. */
export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
