import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import YAML from 'yaml';
import { admit } from './admission/index.js';
import { createApplyHooks } from './apply/index.js';
import { crdStatus } from './crd/index.js';
import { ensureDefaultNamespaces, type GarbageCollector, startGarbageCollector } from './gc/index.js';
import {
  type AdmissionResult,
  createApiHandler,
  ObjectService,
  type ObjectServiceDeps,
} from './handlers/index.js';
import {
  type ApiServer,
  createApiServer,
  generateTlsMaterial,
  loadOrCreateTlsMaterial,
  type TlsMaterial,
} from './http/index.js';
import { type NamespaceController, startNamespaceController } from './namespaces/index.js';
import { createRegistry } from './registry/index.js';
import { openStore, type Store } from './storage/index.js';
import { createClusterIpAllocator, startWorkloads, type WorkloadSimulation } from './workloads/index.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Directory for the database, TLS material, token and kubeconfig. Required unless `memory` is set. */
  dataDir?: string;
  /** Keep state in memory only (tests); nothing is written unless `kubeconfigPath` is given. Default: false. */
  memory?: boolean;
  /** Address to listen on. Default: `127.0.0.1`. */
  address?: string;
  /** Port to listen on; 0 picks a free one. Default: 0. */
  port?: number;
  /** Serve plain HTTP without TLS or authentication. Default: false. */
  insecureHttp?: boolean;
  /** Where to write the kubeconfig. Default: `<dataDir>/kubeconfig`; none for memory clusters. */
  kubeconfigPath?: string;
  /** Bearer token clients must present. Default: generated once and kept in `<dataDir>/token`. */
  token?: string;
  /** How often watches with bookmarks get one. Default: 60 s. */
  bookmarkIntervalMs?: number;
  /** How often history older than the previous interval is compacted. Default: 5 minutes. */
  compactIntervalMs?: number;
  /** SQLite durability: `full` (every acknowledged write is fsynced, default) or `normal`. */
  durability?: 'full' | 'normal';
  /** Extension points filled by other parts of the cluster (admission, apply, managed fields, CRD status). */
  extensions?: Pick<ObjectServiceDeps, 'admit' | 'apply' | 'managedFields' | 'crdStatus'>;
  /** The simulated node and workload controllers. Default: enabled, pods ready after 500 ms. */
  workloads?: { enabled?: boolean; readyDelayMs?: number };
  logger?: Logger;
}

/** A running embedded cluster. */
export interface RunningCluster {
  /** The API server's URL, e.g. `https://127.0.0.1:6443`. */
  url: string;
  /** The kubeconfig file written, if any. */
  kubeconfigPath?: string;
  /** The kubeconfig's YAML text. */
  kubeconfig: string;
  /** The CA certificate (PEM) clients must trust; absent for plain HTTP. */
  caCert?: string;
  /** The bearer token; absent for plain HTTP. */
  token?: string;
  /** The object service (for in-process tests and benchmarks). */
  service: ObjectService;
  /** The store (for in-process tests and benchmarks). */
  store: Store;
  /** Resolves when the garbage collector and the namespace controller have no pending work. */
  settled(): Promise<void>;
  /** Stops serving and closes the store. */
  stop(): Promise<void>;
}

const TLS_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** Builds a kubeconfig for the cluster at `url`. */
export function buildKubeconfig(url: string, caCert?: string, token?: string): string {
  const cluster: Record<string, unknown> = { server: url };
  if (caCert) cluster['certificate-authority-data'] = Buffer.from(caCert).toString('base64');
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sluice', cluster }],
    contexts: [{ name: 'sluice', context: { cluster: 'sluice', user: 'sluice', namespace: 'default' } }],
    'current-context': 'sluice',
    users: [{ name: 'sluice', user: token ? { token } : {} }],
    preferences: {},
  });
}

async function loadToken(dataDir: string | undefined): Promise<string> {
  if (!dataDir) return randomBytes(24).toString('base64url');
  const path = join(dataDir, 'token');
  if (existsSync(path)) {
    const saved = (await readFile(path, 'utf8')).trim();
    if (saved) return saved;
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Starts the embedded Kubernetes-compatible cluster: opens (or creates) its store, serves the API over HTTPS
 * with a bearer token (or plain HTTP), runs the garbage collector, creates the default namespaces on first
 * start and writes a kubeconfig. State kept in `dataDir` survives restarts.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  if (!options.memory && !options.dataDir) {
    throw new TypeError('startCluster needs a dataDir, or memory: true');
  }
  const dataDir = options.memory ? undefined : options.dataDir;
  if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const address = options.address ?? '127.0.0.1';
  const logger = options.logger;

  const store = openStore({
    path: dataDir ? join(dataDir, 'state.db') : ':memory:',
    durability: options.durability,
    logger,
  });
  let service: ObjectService | undefined;
  let gc: GarbageCollector | undefined;
  let server: ApiServer | undefined;
  let workloads: WorkloadSimulation | undefined;
  let namespaces: NamespaceController | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    const registry = createRegistry();
    const applyHooks = createApplyHooks();
    const clusterIps = createClusterIpAllocator(store);
    service = new ObjectService({
      store,
      registry,
      logger,
      admit: (rt, object, o) => {
        const admitted = admit(rt, object, o) as AdmissionResult;
        return admitted.decodeError ? admitted : clusterIps.allocate(rt, admitted, o.operation);
      },
      crdStatus: (crd, old) => crdStatus(crd, { old }),
      apply: (live, applied, o) => applyHooks.apply(live, applied, o),
      managedFields: (old, next, o) => applyHooks.managedFields(old, next, o),
      ...options.extensions,
    });
    ensureDefaultNamespaces(service);
    gc = startGarbageCollector(service, { logger });
    if (options.workloads?.enabled !== false) {
      workloads = startWorkloads(service, { readyDelayMs: options.workloads?.readyDelayMs, logger });
    }

    let tls: TlsMaterial | undefined;
    let token: string | undefined;
    if (!options.insecureHttp) {
      const hosts = [...new Set([...TLS_HOSTS, address])];
      tls = dataDir ? await loadOrCreateTlsMaterial(dataDir, hosts) : generateTlsMaterial(hosts);
      token = options.token ?? (await loadToken(dataDir));
    }
    namespaces = startNamespaceController(service, { caCert: tls?.caCert, logger });
    const handler = createApiHandler({
      service,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      logger,
    });
    // No response may show a write before its batch is committed (and fsynced): responses written while a
    // batch is open wait for its COMMIT.
    const durable = () => (store.pending ? store.whenCommitted() : undefined);
    server = await createApiServer({ handler, tls, token, durable, logger }, address, options.port ?? 0);
    const url = server.url;

    // Compaction keeps at least one interval of history for watchers that reconnect.
    const compactEvery = options.compactIntervalMs ?? 5 * 60_000;
    let keepFrom = store.currentRevision;
    const compactTick = () => {
      try {
        store.compact(keepFrom);
      } catch (err) {
        logger?.warn({ err }, 'compaction failed');
      }
      keepFrom = store.currentRevision;
      timers[0] = setTimeout(compactTick, compactEvery);
      timers[0].unref();
    };
    timers[0] = setTimeout(compactTick, compactEvery);
    timers[0].unref();

    const kubeconfig = buildKubeconfig(url, tls?.caCert, token);
    const kubeconfigPath = options.kubeconfigPath ?? (dataDir ? join(dataDir, 'kubeconfig') : undefined);
    if (kubeconfigPath) {
      await mkdir(dirname(kubeconfigPath), { recursive: true });
      await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
      await chmod(kubeconfigPath, 0o600);
    }
    logger?.info({ url, kubeconfig: kubeconfigPath, dataDir }, 'cluster listening');

    const running = { service, gc, server, workloads, namespaces };
    let stopped: Promise<void> | undefined;
    return {
      url,
      kubeconfigPath,
      kubeconfig,
      caCert: tls?.caCert,
      token,
      service,
      store,
      settled: async () => {
        // Watchers hear of writes only after their batch commits, and their work may write again.
        for (let round = 0; round < 100; round++) {
          await store.whenCommitted().catch(() => undefined);
          await running.namespaces.idle();
          await running.gc.idle();
          if (!store.pending) break;
        }
      },
      stop() {
        stopped ??= (async () => {
          for (const t of timers) clearTimeout(t);
          await running.server.close();
          running.workloads?.stop();
          running.namespaces.stop();
          running.gc.stop();
          running.service.close();
          store.close();
          logger?.info('cluster stopped');
        })();
        return stopped;
      },
    };
  } catch (err) {
    for (const t of timers) clearTimeout(t);
    await server?.close();
    workloads?.stop();
    namespaces?.stop();
    gc?.stop();
    service?.close();
    store.close();
    throw err;
  }
}
