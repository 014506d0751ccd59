import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';
import { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
import { parse } from 'yaml';
import { SluiceError } from '../api/index.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/** Where to read cluster access from. Exactly one of the fields is used, in the order listed. */
export interface KubeConfigSource {
  /** Kubeconfig YAML text. */
  text?: string;
  /** Path of a kubeconfig file; relative certificate paths resolve against its folder. */
  path?: string;
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`, `KUBERNETES_SERVICE_*`). */
  inCluster?: boolean;
  /** Prefix of the service account files, for tests of in-cluster loading. Default: none. */
  inClusterRoot?: string;
  /** Use `$KUBECONFIG`, then `~/.kube/config`, then the in-cluster service account, like kubectl. */
  defaults?: boolean;
}

/** Options of {@link loadKubeConfig}. */
export interface LoadKubeConfigOptions {
  /** The context to use. Default: the kubeconfig's `current-context`. */
  context?: string;
  /** The namespace requests default to. Default: the context's namespace, else `default`. */
  namespace?: string;
  /**
   * How long credentials from a plugin (exec, token file, auth provider) are reused before asking the plugin
   * again; a 401 answer also refreshes them. Default: 60 000 ms. Static tokens and certificates never expire.
   */
  credentialCacheMs?: number;
  /** Clock for the credential cache. Default: {@link systemClock}. */
  clock?: Clock;
}

/** What a request needs to authenticate: TLS material for the agent and headers for each request. */
export interface KubeCredentials {
  /** Headers to send with every request (`Authorization`, `Impersonate-User`). */
  readonly headers: Readonly<Record<string, string>>;
  /** CA bundle that signs the server certificate; the system roots when absent. */
  readonly ca?: string | Buffer;
  /** Client certificate (PEM). */
  readonly cert?: string | Buffer;
  /** Client key (PEM). */
  readonly key?: string | Buffer;
  /** Server name to verify instead of the URL's host. */
  readonly servername?: string;
  /** False when the kubeconfig says `insecure-skip-tls-verify`. */
  readonly rejectUnauthorized: boolean;
}

/** A resolved kubeconfig context: the server, the default namespace and a source of credentials. */
export interface KubeConnection {
  /** The API server's base URL, without a trailing slash. */
  readonly server: string;
  /** The context's name. */
  readonly context: string;
  /** The namespace requests default to. */
  readonly namespace: string;
  /** Credentials for the next request; cached, refreshed by plugins when they expire. */
  credentials(signal?: AbortSignal): Promise<KubeCredentials>;
  /** Forgets cached plugin credentials, e.g. after the server answered 401. */
  invalidateCredentials(): void;
}

function invalid(message: string, cause?: unknown): SluiceError {
  return new SluiceError('KubeConfigInvalid', message, { cause });
}

/**
 * Loads a kubeconfig (file, text, defaults or in-cluster service account) and resolves one context into a
 * {@link KubeConnection}. Client certificates, bearer tokens, basic auth, token files (the service account)
 * and impersonation are read here; exec credential plugins (such as kubelogin) and auth providers are run by
 * @kubernetes/client-node's authenticators, loaded on first use. Credentials are cached so requests do not
 * re-read files or re-run plugins.
 */
export function loadKubeConfig(
  source: KubeConfigSource,
  options: LoadKubeConfigOptions = {},
): KubeConnection {
  let kc: ParsedConfig;
  try {
    if (source.text !== undefined) kc = fromString(source.text);
    else if (source.path !== undefined) kc = fromFile(source.path);
    else if (source.inCluster) kc = fromCluster(source.inClusterRoot);
    else if (source.defaults) kc = fromDefaults();
    else throw new Error('no source given: pass text, path, inCluster or defaults');
  } catch (err) {
    const where = source.path ? `Kubeconfig ${source.path}` : 'Kubeconfig';
    throw invalid(`${where} cannot be loaded: ${(err as Error).message}`, err);
  }
  if (options.context !== undefined) {
    if (!kc.contexts.some((c) => c.name === options.context)) {
      throw invalid(
        `Kubeconfig context ${options.context} not found: known contexts are ${contextNames(kc)}`,
      );
    }
    kc.currentContext = options.context;
  }
  const contextName = kc.currentContext;
  const context = contextName ? kc.contexts.find((c) => c.name === contextName) : undefined;
  if (!context) {
    throw invalid(
      `Kubeconfig has no current context: pass a context (known contexts are ${contextNames(kc)})`,
    );
  }
  const cluster = kc.clusters.find((c) => c.name === context.cluster);
  if (!cluster?.server) {
    throw invalid(`Kubeconfig context ${contextName} names cluster ${context.cluster}, which has no server`);
  }
  if (cluster.proxyUrl) {
    throw invalid(`Kubeconfig cluster ${cluster.name} uses proxy-url, which Sluice does not support yet`);
  }
  const user = kc.users.find((u) => u.name === context.user);
  const server = cluster.server.replace(/\/+$/, '');
  const dynamic = !!(user?.exec || user?.authProvider);
  // Token files (the in-cluster service account) are read here; other plugins need client-node's
  // authenticators, loaded on first use only: the library costs tens of MiB of memory.
  const tokenFile =
    user?.authProvider?.name === 'tokenFile' ? user.authProvider.config?.tokenFile : undefined;
  const plugin = dynamic && tokenFile === undefined;
  const cacheMs = options.credentialCacheMs ?? 60_000;
  const clock = options.clock ?? systemClock;

  // client-node creates an agent as the last step of applyToHTTPSOptions and refuses plain-http servers
  // there; a private copy pointing at an https placeholder lets the authenticators run for any scheme while
  // keeping their own caches (exec credential expiry) across calls.
  // A fresh copy also drops the authenticators' caches, which invalidateCredentials needs after a 401.
  const authConfig = async (): Promise<KubeConfig> => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ ...cluster, server: 'https://kubernetes.invalid', proxyUrl: undefined }],
      users: user ? [user] : [],
      contexts: [{ name: 'auth', cluster: cluster.name, user: context.user }],
      currentContext: 'auth',
    });
    return kc;
  };
  let auth: Promise<KubeConfig> | undefined;

  let cached: { value: KubeCredentials; at: number } | undefined;
  let pending: Promise<KubeCredentials> | undefined;

  const resolve = async (): Promise<KubeCredentials> => {
    const opts: {
      headers?: Record<string, string | string[] | number>;
      auth?: string;
      ca?: string | Buffer;
      cert?: string | Buffer;
      key?: string | Buffer;
      servername?: string;
      rejectUnauthorized?: boolean;
    } = { headers: {} };
    try {
      if (plugin) {
        auth ??= authConfig();
        await (await auth).applyToHTTPSOptions(opts as never);
      } else {
        staticOptions(cluster, user, opts);
        if (tokenFile !== undefined)
          opts.headers!.Authorization = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
        if (user?.token) opts.headers!.Authorization = `Bearer ${user.token}`;
      }
    } catch (err) {
      throw new SluiceError(
        'KubeCredentialsFailed',
        `Credentials for kubeconfig user ${context.user} cannot be obtained: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    return {
      headers,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
      ...(opts.key !== undefined ? { key: opts.key } : {}),
      ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      rejectUnauthorized: !cluster.skipTLSVerify,
    };
  };

  return {
    server,
    context: context.name,
    namespace: options.namespace ?? context.namespace ?? 'default',
    async credentials() {
      if (cached && (!dynamic || clock.now() - cached.at < cacheMs)) return cached.value;
      pending ??= resolve().then(
        (value) => {
          cached = { value, at: clock.now() };
          pending = undefined;
          return value;
        },
        (err) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    invalidateCredentials() {
      if (!dynamic) return;
      cached = undefined;
      auth = undefined;
    },
  };
}

function contextNames(kc: ParsedConfig): string {
  const names = kc.contexts.map((c) => c.name);
  return names.length ? names.join(', ') : 'none';
}

/** A kubeconfig's entries, in client-node's shape (which its authenticators take). */
interface ParsedConfig {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string | undefined;
}

function fromString(text: string): ParsedConfig {
  const obj = (parse(text) ?? {}) as Record<string, unknown>;
  const current = obj['current-context'];
  return {
    clusters: newClusters(obj.clusters),
    users: newUsers(obj.users),
    contexts: newContexts(obj.contexts),
    currentContext: typeof current === 'string' && current ? current : undefined,
  };
}

/** Reads a kubeconfig file; certificate paths resolve against its folder, as kubectl does. */
function fromFile(path: string): ParsedConfig {
  const kc = fromString(readFileSync(path, 'utf8'));
  const root = dirname(path);
  const absolute = (file: string) => (isAbsolute(file) ? file : join(root, file));
  kc.clusters = kc.clusters.map((c) => (c.caFile ? { ...c, caFile: absolute(c.caFile) } : c));
  kc.users = kc.users.map((u) => ({
    ...u,
    ...(u.certFile ? { certFile: absolute(u.certFile) } : {}),
    ...(u.keyFile ? { keyFile: absolute(u.keyFile) } : {}),
  }));
  return kc;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, its CA, token file and namespace. */
function fromCluster(prefix = ''): ParsedConfig {
  const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '';
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  const serverHost = host.includes(':') ? `[${host}]` : host;
  const namespaceFile = `${prefix}${SERVICE_ACCOUNT}/namespace`;
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8') : undefined;
  return {
    clusters: [
      {
        name: 'inCluster',
        caFile: `${prefix}${SERVICE_ACCOUNT}/ca.crt`,
        server: `${scheme}://${serverHost}:${port}`,
        skipTLSVerify: false,
      },
    ],
    users: [
      {
        name: 'inClusterUser',
        authProvider: { name: 'tokenFile', config: { tokenFile: `${prefix}${SERVICE_ACCOUNT}/token` } },
      },
    ],
    contexts: [
      {
        cluster: 'inCluster',
        name: 'inClusterContext',
        user: 'inClusterUser',
        ...(namespace ? { namespace } : {}),
      },
    ],
    currentContext: 'inClusterContext',
  };
}

/** Like kubectl: the files of `$KUBECONFIG` merged (the first names the context), then `~/.kube/config`, then in-cluster. */
function fromDefaults(): ParsedConfig {
  const files = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (files.length > 0) {
    const kc = fromFile(files[0]!);
    for (const file of files.slice(1)) {
      const more = fromFile(file);
      kc.currentContext = more.currentContext ?? kc.currentContext;
      for (const [list, added, what] of [
        [kc.clusters, more.clusters, 'cluster'],
        [kc.users, more.users, 'user'],
        [kc.contexts, more.contexts, 'context'],
      ] as const) {
        for (const entry of added) {
          if ((list as { name: string }[]).some((e) => e.name === entry.name)) {
            throw new Error(`Duplicate ${what}: ${entry.name}`);
          }
          (list as { name: string }[]).push(entry);
        }
      }
    }
    return kc;
  }
  const home = process.env.HOME || homedir();
  const config = join(home, '.kube', 'config');
  if (home && existsSync(config)) return fromFile(config);
  if (existsSync(`${SERVICE_ACCOUNT}/token`)) return fromCluster();
  return {
    clusters: [{ name: 'cluster', server: 'http://localhost:8080', skipTLSVerify: false }],
    users: [{ name: 'user' }],
    contexts: [{ name: 'loaded-context', cluster: 'cluster', user: 'user' }],
    currentContext: 'loaded-context',
  };
}

/** TLS material and impersonation of a user without plugins, as client-node's `applyHTTPSOptions` sets them. */
function staticOptions(
  cluster: Cluster,
  user: User | undefined,
  opts: {
    headers?: Record<string, string | string[] | number>;
    auth?: string;
    ca?: string | Buffer;
    cert?: string | Buffer;
    key?: string | Buffer;
  },
): void {
  const fileOrData = (file: string | undefined, data: string | undefined) =>
    file ? readFileSync(file) : data ? Buffer.from(data, 'base64') : undefined;
  if (!user) return;
  const ca = fileOrData(cluster.caFile, cluster.caData);
  if (ca) opts.ca = ca;
  const cert = fileOrData(user.certFile, user.certData);
  if (cert) opts.cert = cert;
  const key = fileOrData(user.keyFile, user.keyData);
  if (key) opts.key = key;
  if (user.impersonateUser != null) opts.headers!['Impersonate-User'] = user.impersonateUser;
  if (user.username) opts.auth = `${user.username}:${user.password ?? ''}`;
}
