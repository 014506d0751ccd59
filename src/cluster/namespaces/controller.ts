import type { Logger } from 'pino';
import type { ObjectService } from '../handlers/index.js';
import { StatusError } from '../http/index.js';
import type { KubeObject, StoreEvent } from '../storage/index.js';

/** The name of the ConfigMap holding the cluster's CA in every namespace. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The address of the `kubernetes` Service: the first of the service range 10.96.0.0/12. */
const KUBERNETES_SERVICE_IP = '10.96.0.1';
const NAMESPACE_PREFIX = '/registry/core/namespaces/';
const SERVICE_ACCOUNT_PREFIX = '/registry/core/serviceaccounts/';
const CONFIGMAP_PREFIX = '/registry/core/configmaps/';
const MANAGER = 'kube-controller-manager';

/** Options of {@link startNamespaceController}. */
export interface NamespaceControllerOptions {
  /** The CA certificate (PEM) published as `kube-root-ca.crt`; without one no ConfigMap is published. */
  caCert?: string;
  /** The port the `kubernetes` Service's targetPort names. Default: 6443. */
  apiServerPort?: number;
  logger?: Logger;
}

/** A running namespace controller. */
export interface NamespaceController {
  /** Resolves when no namespace waits to be filled. */
  idle(): Promise<void>;
  stop(): void;
}

function namespaceOf(key: string, prefix: string): string | undefined {
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
}

/**
 * Starts the controller: creates the `kubernetes` Service in `default` when it is missing, then keeps a
 * `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap in every active namespace (existing ones at
 * start, new ones as they are created, and again when someone deletes them). Terminating namespaces are
 * left alone. Writes go through the object service as `kube-controller-manager`, outside the store's
 * watch callbacks.
 */
export function startNamespaceController(
  service: ObjectService,
  options: NamespaceControllerOptions = {},
): NamespaceController {
  const store = service.store;
  const log = options.logger;
  const pending = new Set<string>();
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const types = () => ({
    namespaces: service.registry.lookup('', 'v1', 'namespaces'),
    serviceAccounts: service.registry.lookup('', 'v1', 'serviceaccounts'),
    configMaps: service.registry.lookup('', 'v1', 'configmaps'),
  });

  /** Creates an object unless it exists; a namespace that went away or is terminating is fine. */
  const ensure = (plural: 'serviceAccounts' | 'configMaps', namespace: string, body: KubeObject) => {
    const rt = types()[plural];
    if (!rt || store.get(service.key(rt, namespace, body.metadata.name))) return;
    try {
      service.create(rt, namespace, body, { fieldManager: MANAGER });
    } catch (err) {
      if (err instanceof StatusError && [403, 404, 409].includes(err.status)) return;
      throw err;
    }
  };

  const fill = (namespace: string) => {
    const ns = store.get(`${NAMESPACE_PREFIX}${namespace}`)?.object;
    if (!ns || ns.metadata?.deletionTimestamp) return;
    ensure('serviceAccounts', namespace, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace },
    });
    if (options.caCert) {
      ensure('configMaps', namespace, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: ROOT_CA_CONFIGMAP,
          namespace,
          annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION },
        },
        data: { 'ca.crt': options.caCert },
      });
    }
  };

  const drain = () => {
    scheduled = undefined;
    for (const namespace of [...pending]) {
      pending.delete(namespace);
      if (stopped) break;
      try {
        fill(namespace);
      } catch (err) {
        log?.warn({ err, namespace }, 'namespace defaults could not be created');
      }
    }
    if (pending.size === 0) {
      const done = waiters;
      waiters = [];
      for (const w of done) w();
    }
  };

  const enqueue = (namespace: string) => {
    if (stopped) return;
    pending.add(namespace);
    scheduled ??= setImmediate(drain);
  };

  ensureKubernetesService(service, options.apiServerPort ?? 6443, log);

  const onNamespace = (event: StoreEvent) => {
    if (event.type !== 'DELETED') enqueue(event.object.metadata?.name);
  };
  const onDeleted = (name: string, prefix: string) => (event: StoreEvent) => {
    if (event.type !== 'DELETED' || event.object.metadata?.name !== name) return;
    const namespace = namespaceOf(event.key, prefix);
    if (namespace) enqueue(namespace);
  };
  const initial = store.list(NAMESPACE_PREFIX);
  const stops = [
    store.watch(NAMESPACE_PREFIX, initial.revision, onNamespace),
    store.watch(SERVICE_ACCOUNT_PREFIX, initial.revision, onDeleted('default', SERVICE_ACCOUNT_PREFIX)),
    store.watch(CONFIGMAP_PREFIX, initial.revision, onDeleted(ROOT_CA_CONFIGMAP, CONFIGMAP_PREFIX)),
  ];
  for (const item of initial.items) enqueue(item.object.metadata?.name);

  return {
    async idle() {
      // Namespaces written in an open batch reach the controller only once it commits.
      while (!stopped) {
        await store.whenCommitted().catch(() => undefined);
        if (pending.size === 0 && !scheduled) {
          if (!store.pending) return;
          continue;
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    stop() {
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
      for (const stop of stops) stop();
      const done = waiters;
      waiters = [];
      for (const w of done) w();
    },
  };
}

/** Creates the API server's own Service, `default/kubernetes`, when it is missing. */
function ensureKubernetesService(service: ObjectService, port: number, log: Logger | undefined): void {
  const rt = service.registry.lookup('', 'v1', 'services');
  if (!rt || service.store.get(service.key(rt, 'default', 'kubernetes'))) return;
  try {
    service.create(
      rt,
      'default',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'kubernetes',
          namespace: 'default',
          labels: { component: 'apiserver', provider: 'kubernetes' },
        },
        spec: {
          type: 'ClusterIP',
          clusterIP: KUBERNETES_SERVICE_IP,
          clusterIPs: [KUBERNETES_SERVICE_IP],
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
          sessionAffinity: 'None',
        },
      },
      { fieldManager: 'kube-apiserver' },
    );
  } catch (err) {
    log?.warn({ err }, 'the kubernetes Service could not be created');
  }
}
