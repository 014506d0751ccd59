import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsFromDockerConfig,
  MediaType,
  OciClient,
  pullArtifact,
  pullHelmChartFromOci,
  pushArtifact,
  SourceError,
} from '../../src/source/index.js';
import { freePort } from '../harness/servers/free-port.js';
import { createHelmCli, type HelmCli } from '../harness/servers/helm-fixtures.js';
import { type Registry, startRegistry } from '../harness/servers/registry.js';

let tmp: string;
let n = 0;
const dirOf = (files: Record<string, string>) => {
  const dir = join(tmp, `src-${n++}`);
  return (async () => {
    for (const [p, c] of Object.entries(files)) {
      await mkdir(join(dir, p, '..'), { recursive: true });
      await writeFile(join(dir, p), c);
    }
    return dir;
  })();
};
const outDir = () => join(tmp, `out-${n++}`);

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-oci-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('OCI artifacts on an anonymous registry', () => {
  let registry: Registry;
  let client: OciClient;
  let helm: HelmCli;

  beforeAll(async () => {
    registry = await startRegistry();
    helm = await createHelmCli();
    client = new OciClient({}, { insecure: true, http: { timeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await registry?.close();
    await helm?.close();
  });

  it('pushes a directory as flux push artifact does and pulls it back', async () => {
    const dir = await dirOf({ 'deploy/app.yaml': 'kind: Deployment\n', 'README.md': 'hi\n' });
    const url = `oci://${registry.host}/manifests/podinfo:v1`;
    const pushed = await pushArtifact(
      { client },
      {
        url,
        dir,
        source: 'https://github.com/org/repo',
        revision: 'main@sha1:abc',
        created: new Date('2030-01-02T03:04:05Z'),
      },
    );
    expect(pushed.revision).toBe(`v1@${pushed.digest}`);
    expect(pushed.reference).toBe(`${registry.host}/manifests/podinfo:v1@${pushed.digest}`);

    const { manifest, mediaType } = await client.getManifest(registry.host, 'manifests/podinfo', 'v1');
    expect(mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config?.mediaType).toBe('application/vnd.cncf.flux.config.v1+json');
    expect(manifest.layers?.map((l) => l.mediaType)).toEqual([
      'application/vnd.cncf.flux.content.v1.tar+gzip',
    ]);
    expect(manifest.annotations).toEqual({
      'org.opencontainers.image.created': '2030-01-02T03:04:05Z',
      'org.opencontainers.image.source': 'https://github.com/org/repo',
      'org.opencontainers.image.revision': 'main@sha1:abc',
    });

    const out = outDir();
    const pulled = await pullArtifact({ client }, { url, outDir: out });
    expect(pulled.revision).toBe(pushed.revision);
    expect(pulled.annotations['org.opencontainers.image.revision']).toBe('main@sha1:abc');
    expect(await readFile(join(out, 'deploy/app.yaml'), 'utf8')).toBe('kind: Deployment\n');
  });

  it('sees new content under the same tag as a new revision, and pulls by digest', async () => {
    const url = `oci://${registry.host}/manifests/app:latest`;
    const a = await pushArtifact(
      { client },
      { url, dir: await dirOf({ 'a.yaml': '1' }), source: 's', revision: 'r1' },
    );
    const b = await pushArtifact(
      { client },
      { url, dir: await dirOf({ 'a.yaml': '2' }), source: 's', revision: 'r2' },
    );
    expect(b.digest).not.toBe(a.digest);
    const latest = await pullArtifact(
      { client },
      { url: `oci://${registry.host}/manifests/app`, outDir: outDir() },
    );
    expect(latest.revision).toBe(`latest@${b.digest}`);
    const out = outDir();
    const old = await pullArtifact(
      { client },
      { url: `oci://${registry.host}/manifests/app@${a.digest}`, outDir: out },
    );
    expect(old.revision).toBe(a.digest);
    expect(await readFile(join(out, 'a.yaml'), 'utf8')).toBe('1');
  });

  it('selects tags by semver with an optional filter, and lists tags', async () => {
    const base = `oci://${registry.host}/manifests/versions`;
    const digests: Record<string, string> = {};
    for (const tag of ['1.0.0', '1.1.0', '2.0.0', '1.2.0-rc.1', 'dev-1.5.0']) {
      digests[tag] = (
        await pushArtifact(
          { client },
          { url: `${base}:${tag}`, dir: await dirOf({ v: tag }), source: 's', revision: tag },
        )
      ).digest;
    }
    expect((await client.listTags(registry.host, 'manifests/versions')).sort()).toEqual(
      ['1.0.0', '1.1.0', '1.2.0-rc.1', '2.0.0', 'dev-1.5.0'].sort(),
    );
    const r = await pullArtifact(
      { client },
      { url: base, ref: { semver: '>=1.0.0 <2.0.0' }, outDir: outDir() },
    );
    expect(r.revision).toBe(`1.1.0@${digests['1.1.0']}`);
    const pre = await pullArtifact(
      { client },
      { url: base, ref: { semver: '>=1.2.0-0 <2.0.0' }, outDir: outDir() },
    );
    expect(pre.revision).toBe(`1.2.0-rc.1@${digests['1.2.0-rc.1']}`);
    const filtered = await client.resolve(registry.host, 'manifests/versions', {
      semver: '*',
      semverFilter: '^1\\.0',
    });
    expect(filtered).toEqual({ tag: '1.0.0', digest: digests['1.0.0'] });
  });

  it('copies the selected layer instead of extracting it when asked', async () => {
    const url = `oci://${registry.host}/manifests/copy:v1`;
    await pushArtifact({ client }, { url, dir: await dirOf({ 'x.yaml': 'x' }), source: 's', revision: 'r' });
    const res = await pullArtifact(
      { client },
      { url, outDir: outDir(), layerSelector: { mediaType: MediaType.fluxContent, operation: 'copy' } },
    );
    expect(res.file).toMatch(/sha256-[0-9a-f]{64}\.tgz$/);
    expect((await readFile(res.file!)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('pulls a Helm chart pushed with the real helm push, picking the latest version', async () => {
    const charts = join(tmp, 'charts');
    const v1 = await helm.packageChart('podinfo', '6.0.0', charts);
    await helm.run('push', v1, `oci://${registry.host}/charts`, '--plain-http');
    const first = await pullHelmChartFromOci({ client }, { url: `oci://${registry.host}/charts/podinfo` });
    expect(first.version).toBe('6.0.0');
    expect(first.data.equals(await readFile(v1))).toBe(true);
    expect(first.revision).toBe(`6.0.0@${first.digest}`);

    const v2 = await helm.packageChart('podinfo', '6.1.0', charts);
    await helm.run('push', v2, `oci://${registry.host}/charts`, '--plain-http');
    const second = await pullHelmChartFromOci(
      { client },
      { url: `oci://${registry.host}/charts/podinfo`, version: '6.x' },
    );
    expect(second.version).toBe('6.1.0');
    expect(second.digest).not.toBe(first.digest);
    const pinned = await pullHelmChartFromOci(
      { client },
      { url: `oci://${registry.host}/charts/podinfo`, version: '6.0.0' },
    );
    expect(pinned.digest).toBe(first.digest);
    const { manifest } = await client.getManifest(registry.host, 'charts/podinfo', '6.1.0');
    expect(manifest.config?.mediaType).toBe(MediaType.helmConfig);
  });

  it('follows an image index to its first manifest', async () => {
    const url = `oci://${registry.host}/manifests/indexed:v1`;
    const inner = await pushArtifact(
      { client },
      { url, dir: await dirOf({ 'i.yaml': 'i' }), source: 's', revision: 'r' },
    );
    const { raw } = await client.getManifest(registry.host, 'manifests/indexed', inner.digest);
    const index = {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [{ mediaType: MediaType.ociManifest, digest: inner.digest, size: raw.length }],
    };
    const indexDigest = await client.pushManifest(
      registry.host,
      'manifests/indexed',
      'multi',
      Buffer.from(JSON.stringify(index)),
      MediaType.ociIndex,
    );
    const out = outDir();
    const res = await pullArtifact(
      { client },
      { url: `oci://${registry.host}/manifests/indexed:multi`, outDir: out },
    );
    expect(res.revision).toBe(`multi@${indexDigest}`);
    expect(res.annotations['org.opencontainers.image.revision']).toBe('r');
    expect(await readFile(join(out, 'i.yaml'), 'utf8')).toBe('i');
  });

  it('reports a missing tag as SourceNotFound and an unreachable registry as FetchFailed', async () => {
    const missing = await failure(
      pullArtifact({ client }, { url: `oci://${registry.host}/manifests/podinfo:nope`, outDir: outDir() }),
    );
    expect(missing.code).toBe('SourceNotFound');
    const port = await freePort();
    const down = await failure(
      pullArtifact({ client }, { url: `oci://127.0.0.1:${port}/x:v1`, outDir: outDir() }),
    );
    expect(down.code).toBe('FetchFailed');
  });
});

describe('OCI artifacts on a registry with basic authentication', () => {
  let registry: Registry;
  const creds = { username: 'basic', password: 'b4sic' };

  beforeAll(async () => {
    registry = await startRegistry({ basicAuth: creds });
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('answers the Basic challenge with docker config credentials, and reports wrong ones', async () => {
    const config = (password: string) =>
      credentialsFromDockerConfig(
        JSON.stringify({ auths: { [`https://${registry.host}`]: { username: 'basic', password } } }),
      );
    const client = new OciClient({}, { insecure: true, credentials: config(creds.password) });
    const url = `oci://${registry.host}/basic/app:v1`;
    const pushed = await pushArtifact(
      { client },
      { url, dir: await dirOf({ 'b.yaml': 'b' }), source: 's', revision: 'r' },
    );
    expect((await pullArtifact({ client }, { url, outDir: outDir() })).digest).toBe(pushed.digest);
    const wrong = new OciClient({}, { insecure: true, credentials: config('nope') });
    const err = await failure(wrong.listTags(registry.host, 'basic/app'));
    expect(err.code).toBe('AuthenticationFailed');
  });
});

describe('OCI artifacts on a registry with token authentication', () => {
  let registry: Registry;
  const creds = { username: 'flux', password: 'oci-pass' };

  beforeAll(async () => {
    registry = await startRegistry({ tokenAuth: creds });
  });
  afterAll(async () => {
    await registry?.close();
  });

  const dockerConfig = (username: string, password: string) =>
    JSON.stringify({
      auths: { [registry.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
    });

  it('obtains bearer tokens with credentials from a docker config and pushes and pulls', async () => {
    const client = new OciClient(
      {},
      {
        insecure: true,
        credentials: credentialsFromDockerConfig(dockerConfig(creds.username, creds.password)),
      },
    );
    const url = `oci://${registry.host}/private/app:v1`;
    const pushed = await pushArtifact(
      { client },
      { url, dir: await dirOf({ 'a.yaml': 'a' }), source: 's', revision: 'r' },
    );
    const out = outDir();
    const pulled = await pullArtifact({ client }, { url, outDir: out });
    expect(pulled.digest).toBe(pushed.digest);
    expect(await readFile(join(out, 'a.yaml'), 'utf8')).toBe('a');
    expect(
      registry.tokenRequests.some((r) => r.granted && r.scope === 'repository:private/app:pull,push'),
    ).toBe(true);
  });

  it('reports AuthenticationFailed for wrong or missing credentials', async () => {
    const wrong = new OciClient(
      {},
      { insecure: true, credentials: credentialsFromDockerConfig(dockerConfig('flux', 'bad')) },
    );
    const err = await failure(
      pullArtifact({ client: wrong }, { url: `oci://${registry.host}/private/app:v1`, outDir: outDir() }),
    );
    expect(err.code).toBe('AuthenticationFailed');
    expect(err.message).toContain(registry.host);
    const anonymous = new OciClient({}, { insecure: true });
    const none = await failure(anonymous.listTags(registry.host, 'private/app'));
    expect(none.code).toBe('AuthenticationFailed');
  });
});
