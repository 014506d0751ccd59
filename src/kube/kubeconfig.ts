import { KubeConfig } from '@kubernetes/client-node';
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
 * {@link KubeConnection}. Client certificates, bearer tokens, basic auth, token files, exec credential plugins
 * (such as kubelogin) and impersonation are handled by @kubernetes/client-node's authenticators; this module
 * caches what they produce so requests do not re-read files or re-run plugins.
 */
export function loadKubeConfig(
  source: KubeConfigSource,
  options: LoadKubeConfigOptions = {},
): KubeConnection {
  const kc = new KubeConfig();
  try {
    if (source.text !== undefined) kc.loadFromString(source.text);
    else if (source.path !== undefined) kc.loadFromFile(source.path);
    else if (source.inCluster) kc.loadFromCluster(source.inClusterRoot);
    else if (source.defaults) kc.loadFromDefault();
    else throw new Error('no source given: pass text, path, inCluster or defaults');
  } catch (err) {
    const where = source.path ? `Kubeconfig ${source.path}` : 'Kubeconfig';
    throw invalid(`${where} cannot be loaded: ${(err as Error).message}`, err);
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      throw invalid(
        `Kubeconfig context ${options.context} not found: known contexts are ${contextNames(kc)}`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const contextName = kc.getCurrentContext();
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (!context) {
    throw invalid(
      `Kubeconfig has no current context: pass a context (known contexts are ${contextNames(kc)})`,
    );
  }
  const cluster = kc.getCluster(context.cluster);
  if (!cluster?.server) {
    throw invalid(`Kubeconfig context ${contextName} names cluster ${context.cluster}, which has no server`);
  }
  if (cluster.proxyUrl) {
    throw invalid(`Kubeconfig cluster ${cluster.name} uses proxy-url, which Sluice does not support yet`);
  }
  const user = kc.getUser(context.user);
  const server = cluster.server.replace(/\/+$/, '');
  const dynamic = !!(user?.exec || user?.authProvider);
  const cacheMs = options.credentialCacheMs ?? 60_000;
  const clock = options.clock ?? systemClock;

  // client-node creates an agent as the last step of applyToHTTPSOptions and refuses plain-http servers
  // there; a private copy pointing at an https placeholder lets the authenticators run for any scheme while
  // keeping their own caches (exec credential expiry) across calls.
  // A fresh copy also drops the authenticators' caches, which invalidateCredentials needs after a 401.
  const authConfig = (): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ ...cluster, server: 'https://kubernetes.invalid', proxyUrl: undefined }],
      users: user ? [user] : [],
      contexts: [{ name: 'auth', cluster: cluster.name, user: context.user }],
      currentContext: 'auth',
    });
    return kc;
  };
  let auth = authConfig();

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
      await auth.applyToHTTPSOptions(opts as never);
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
    context: contextName,
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
      auth = authConfig();
    },
  };
}

function contextNames(kc: KubeConfig): string {
  const names = kc.getContexts().map((c) => c.name);
  return names.length ? names.join(', ') : 'none';
}
