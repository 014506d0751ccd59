import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { connectKube, loadKubeConfig } from '../../src/kube/index.js';
import { makePki, type TestPki } from './pki.js';

interface Whoami {
  cn: string | null;
  authorization: string | null;
}

let pki: TestPki;
let server: https.Server;
let url: string;
let dir: string;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(user: Record<string, unknown>, extra: { contexts?: unknown[]; current?: string } = {}) {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server: url, 'certificate-authority-data': b64(pki.caCert) } }],
    users: [{ name: 'u', user }],
    contexts: extra.contexts ?? [
      { name: 'main', context: { cluster: 'test', user: 'u', namespace: 'team-a' } },
    ],
    'current-context': extra.current ?? 'main',
  });
}

async function whoami(text: string, options: { context?: string } = {}): Promise<Whoami> {
  const kube = connectKube({ text }, options);
  try {
    return await kube.request<Whoami>('GET', '/whoami');
  } finally {
    kube.close();
  }
}

beforeAll(async () => {
  pki = makePki('alice');
  dir = await mkdtemp(join(tmpdir(), 'sluice-kubeconfig-'));
  server = https.createServer(
    {
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.caCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
      const authorization = req.headers.authorization ?? null;
      // Tokens named "expired-…" are refused, to exercise the refresh after a 401.
      if (authorization?.startsWith('Bearer expired')) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'Unauthorized',
            code: 401,
          }),
        );
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ cn: peer?.subject?.CN ?? null, authorization }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('kubeconfig', () => {
  it('authenticates with an inline client certificate and trusts the inline CA', async () => {
    const text = kubeconfig({
      'client-certificate-data': b64(pki.clientCert),
      'client-key-data': b64(pki.clientKey),
    });
    expect(await whoami(text)).toEqual({ cn: 'alice', authorization: null });
  });

  it('reads certificate files relative to the kubeconfig file', async () => {
    const sub = join(dir, 'files');
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'ca.crt'), pki.caCert);
    await writeFile(join(sub, 'client.crt'), pki.clientCert);
    await writeFile(join(sub, 'client.key'), pki.clientKey);
    const config = YAML.parse(kubeconfig({ 'client-certificate': 'client.crt', 'client-key': 'client.key' }));
    config.clusters[0].cluster = { server: url, 'certificate-authority': 'ca.crt' };
    await writeFile(join(sub, 'config'), YAML.stringify(config));
    const kube = connectKube({ path: join(sub, 'config') });
    try {
      expect(await kube.request<Whoami>('GET', '/whoami')).toEqual({ cn: 'alice', authorization: null });
    } finally {
      kube.close();
    }
  });

  it('sends a bearer token and takes the namespace from the context', async () => {
    const text = kubeconfig({ token: 'abc123' });
    expect(await whoami(text)).toEqual({ cn: null, authorization: 'Bearer abc123' });
    expect(loadKubeConfig({ text }).namespace).toBe('team-a');
  });

  it('runs an exec credential plugin once and reuses its token until it expires', async () => {
    const counter = join(dir, 'exec-count');
    const script = join(dir, 'credential-plugin.sh');
    await writeFile(
      script,
      `#!/bin/sh
echo x >> "${counter}"
cat <<JSON
{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin-$1","expirationTimestamp":"2099-01-01T00:00:00Z"}}
JSON
`,
    );
    await chmod(script, 0o755);
    const text = kubeconfig({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: script,
        args: ['aks'],
        interactiveMode: 'Never',
      },
    });
    const kube = connectKube({ text });
    try {
      for (let i = 0; i < 5; i++) {
        expect(await kube.request<Whoami>('GET', '/whoami')).toEqual({
          cn: null,
          authorization: 'Bearer from-plugin-aks',
        });
      }
    } finally {
      kube.close();
    }
    expect((await readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('asks the exec plugin again after the server answers 401', async () => {
    const state = join(dir, 'exec-state');
    const script = join(dir, 'rotating-plugin.sh');
    // The first token the plugin hands out is refused by the server; the second is accepted.
    await writeFile(
      script,
      `#!/bin/sh
if [ -f "${state}" ]; then token=fresh; else token=expired; touch "${state}"; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s-token","expirationTimestamp":"2099-01-01T00:00:00Z"}}' "$token"
`,
    );
    await chmod(script, 0o755);
    const text = kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script } });
    expect(await whoami(text)).toEqual({ cn: null, authorization: 'Bearer fresh-token' });
  });

  it('selects a context by name and reports unknown contexts', async () => {
    const text = kubeconfig(
      { token: 'xyz' },
      {
        contexts: [
          { name: 'main', context: { cluster: 'test', user: 'u' } },
          { name: 'other', context: { cluster: 'test', user: 'u', namespace: 'flux-system' } },
        ],
      },
    );
    expect(loadKubeConfig({ text }).namespace).toBe('default');
    expect(loadKubeConfig({ text }, { context: 'other' })).toMatchObject({
      context: 'other',
      namespace: 'flux-system',
    });
    expect(await whoami(text, { context: 'other' })).toEqual({ cn: null, authorization: 'Bearer xyz' });
    expect(() => loadKubeConfig({ text }, { context: 'missing' })).toThrowErrorMatchingInlineSnapshot(
      `[SluiceError: Kubeconfig context missing not found: known contexts are main, other]`,
    );
  });

  it('reports a kubeconfig without a current context', () => {
    const text = kubeconfig({ token: 'xyz' }, { current: '' });
    expect(() => loadKubeConfig({ text })).toThrowErrorMatchingInlineSnapshot(
      `[SluiceError: Kubeconfig has no current context: pass a context (known contexts are main)]`,
    );
  });

  it('uses the service account token, CA and namespace in a pod', async () => {
    const root = join(dir, 'pod');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, 'token'), 'sa-token');
    await writeFile(join(sa, 'ca.crt'), pki.caCert);
    await writeFile(join(sa, 'namespace'), 'flux-system');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '127.0.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', String((server.address() as AddressInfo).port));
    try {
      const kube = connectKube({ inCluster: true, inClusterRoot: root });
      try {
        expect(kube.namespace).toBe('flux-system');
        expect(await kube.request<Whoami>('GET', '/whoami')).toEqual({
          cn: null,
          authorization: 'Bearer sa-token',
        });
      } finally {
        kube.close();
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const other = makePki('bob');
    const config = YAML.parse(kubeconfig({ token: 't' }));
    config.clusters[0].cluster['certificate-authority-data'] = b64(other.caCert);
    const kube = connectKube({ text: YAML.stringify(config) });
    try {
      await expect(kube.request('GET', '/whoami')).rejects.toMatchObject({ code: 'ConnectionFailed' });
    } finally {
      kube.close();
    }
    config.clusters[0].cluster = { server: url, 'insecure-skip-tls-verify': true };
    expect(await whoami(YAML.stringify(config))).toEqual({ cn: null, authorization: 'Bearer t' });
  });
});
