import { SluiceError } from '../../api/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';

/** A Secret's decoded `data` (and `stringData`), key → UTF-8 text. */
export type SecretData = Record<string, string>;

/** Why a referenced Secret could not be read; the reconcilers report it as `AuthenticationFailed`. */
export class SecretRefError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SecretRefFailed', message, options);
  }
}

/**
 * Reads a Secret in `namespace` and decodes its `data`. A missing Secret throws a {@link SecretRefError}
 * whose message reads as Flux's: `failed to get secret 'ns/name': …`.
 */
export async function readSecret(
  kube: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<SecretData> {
  let secret:
    | (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> })
    | undefined;
  try {
    secret = await kube.tryGet(
      { apiVersion: 'v1', kind: 'Secret', namespace, name },
      signal ? { signal } : {},
    );
  } catch (err) {
    throw new SecretRefError(`failed to get secret '${namespace}/${name}': ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!secret)
    throw new SecretRefError(`failed to get secret '${namespace}/${name}': secrets "${name}" not found`);
  const out: SecretData = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}

/** TLS settings from a secret's `ca.crt`, `tls.crt`, `tls.key` (also the older `caFile`, `certFile`, `keyFile`). */
export function tlsFromSecret(data: SecretData): { ca?: string; cert?: string; key?: string } {
  const ca = data['ca.crt'] ?? data.caFile;
  const cert = data['tls.crt'] ?? data.certFile;
  const key = data['tls.key'] ?? data.keyFile;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/**
 * Registry credentials from a secret: a `.dockerconfigjson` (kubernetes.io/dockerconfigjson) for any
 * host it lists, else `username`/`password` for every host.
 */
export function registryCredentialsFromSecret(
  data: SecretData,
  fromDockerConfig: (json: string) => (host: string) => { username?: string; password?: string } | undefined,
): ((host: string) => { username?: string; password?: string } | undefined) | undefined {
  if (data['.dockerconfigjson']) return fromDockerConfig(data['.dockerconfigjson']);
  if (data.username !== undefined || data.password !== undefined) {
    const creds = { username: data.username ?? '', password: data.password ?? '' };
    return () => creds;
  }
  return undefined;
}
