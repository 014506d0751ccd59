import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  digestBytes,
  extractTarball,
  fetchHelmChart,
  fetchHelmIndex,
  resolveChartVersion,
  SourceError,
} from '../../src/source/index.js';
import { freePort } from '../harness/servers/free-port.js';
import { createHelmCli, type HelmCli, makeTlsCertificates } from '../harness/servers/helm-fixtures.js';
import { type StaticServer, startStaticServer } from '../harness/servers/static-http.js';

const auth = { username: 'charts', password: 'pa55' };
let tmp: string;
let repoDir: string;
let helm: HelmCli;
let server: StaticServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-helmrepo-'));
  repoDir = join(tmp, 'repo');
  helm = await createHelmCli();
  await helm.packageChart('podinfo', '1.0.0', repoDir);
  await helm.packageChart('podinfo', '1.1.0', repoDir);
  await helm.packageChart('podinfo', '1.2.0-rc.1', repoDir);
  await helm.run('repo', 'index', repoDir);
  server = await startStaticServer({ root: repoDir, basicAuth: auth });
});

afterAll(async () => {
  await server?.close();
  await helm?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('fetchHelmIndex', () => {
  it('downloads the index with basic auth and computes the revision over the served bytes', async () => {
    const res = await fetchHelmIndex({}, { url: `${server.url}/`, auth });
    const onDisk = await readFile(join(repoDir, 'index.yaml'));
    expect(res.revision).toBe(digestBytes(onDisk));
    expect(res.index.entries.podinfo!.map((v) => v.version)).toEqual(['1.2.0-rc.1', '1.1.0', '1.0.0']);
  });

  it('resolves * to the latest stable version and honours ranges and exact versions', async () => {
    const { index } = await fetchHelmIndex({}, { url: server.url, auth });
    expect(resolveChartVersion(index, 'podinfo').version).toBe('1.1.0');
    expect(resolveChartVersion(index, 'podinfo', '*').version).toBe('1.1.0');
    expect(resolveChartVersion(index, 'podinfo', '~1.0').version).toBe('1.0.0');
    expect(resolveChartVersion(index, 'podinfo', '>=1.2.0-0').version).toBe('1.2.0-rc.1');
    expect(resolveChartVersion(index, 'podinfo', '1.0.0').version).toBe('1.0.0');
    expect(() => resolveChartVersion(index, 'podinfo', '>=3')).toThrow(
      /No chart version of 'podinfo' matches '>=3'/,
    );
    expect(() => resolveChartVersion(index, 'nginx')).toThrow(SourceError);
  });

  it('downloads a chart from a relative URL and it is the package helm built', async () => {
    const { index } = await fetchHelmIndex({}, { url: server.url, auth });
    const chart = await fetchHelmChart(
      {},
      { repositoryUrl: server.url, chart: resolveChartVersion(index, 'podinfo'), auth },
    );
    expect(chart.fileName).toBe('podinfo-1.1.0.tgz');
    expect(chart.digest).toBe(digestBytes(await readFile(join(repoDir, 'podinfo-1.1.0.tgz'))));
    const out = join(tmp, 'chart-out');
    await extractTarball(chart.data, out);
    expect(parseYaml(await readFile(join(out, 'podinfo', 'Chart.yaml'), 'utf8'))).toMatchObject({
      version: '1.1.0',
    });
  });

  it('sees a new chart version as a new revision', async () => {
    const before = await fetchHelmIndex({}, { url: server.url, auth });
    await helm.packageChart('podinfo', '1.3.0', repoDir);
    await helm.run('repo', 'index', repoDir);
    const after = await fetchHelmIndex({}, { url: server.url, auth });
    expect(after.revision).not.toBe(before.revision);
    expect(resolveChartVersion(after.index, 'podinfo').version).toBe('1.3.0');
  });

  it('follows absolute chart URLs and keeps credentials off other hosts unless passCredentials is set', async () => {
    const other = await startStaticServer({ root: repoDir });
    try {
      const chart = { name: 'podinfo', version: '1.0.0', urls: [`${other.url}/podinfo-1.0.0.tgz`] };
      await fetchHelmChart({}, { repositoryUrl: server.url, chart, auth });
      expect(other.requests.at(-1)).toEqual({ path: '/podinfo-1.0.0.tgz', auth: false });
      await fetchHelmChart({}, { repositoryUrl: server.url, chart, auth, passCredentials: true });
      expect(other.requests.at(-1)).toEqual({ path: '/podinfo-1.0.0.tgz', auth: true });
    } finally {
      await other.close();
    }
  });

  it('trusts a custom CA over HTTPS and rejects the server without it', async () => {
    const tls = await makeTlsCertificates();
    const secure = await startStaticServer({ root: repoDir, tls: { cert: tls.cert, key: tls.key } });
    try {
      const res = await fetchHelmIndex({}, { url: secure.url, http: { ca: tls.ca } });
      expect(res.index.entries.podinfo).toBeDefined();
      const err = await fetchHelmIndex({}, { url: secure.url }).catch((e: unknown) => e);
      expect((err as SourceError).code).toBe('FetchFailed');
      expect((err as Error).message).toMatch(/certificate/);
    } finally {
      await secure.close();
    }
  });

  it('reports AuthenticationFailed for wrong credentials and FetchFailed for an unreachable server', async () => {
    const wrong = await fetchHelmIndex(
      {},
      { url: server.url, auth: { username: 'charts', password: 'x' } },
    ).catch((e: unknown) => e);
    expect((wrong as SourceError).code).toBe('AuthenticationFailed');
    expect((wrong as Error).message).toBe(
      `Fetching the Helm repository index from '${server.url}/index.yaml' failed: HTTP 401`,
    );
    const port = await freePort();
    const down = await fetchHelmIndex({}, { url: `http://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect((down as SourceError).code).toBe('FetchFailed');
    expect((down as Error).message).toMatch(/ECONNREFUSED/);
  });
});
