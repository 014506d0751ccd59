import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobClient, bucketRevision, extractTarball, S3Client } from '../../src/source/index.js';
import { type AzuriteBlob, startAzuriteBlob } from '../harness/servers/azurite.js';
import { type S3Server, startS3Server } from '../harness/servers/s3.js';
import {
  type ControllerEnv,
  conditionOf,
  download,
  eventually,
  sha256,
  startControllerEnv,
  waitForReady,
} from './support.js';

const BUCKET = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'Bucket' };

let env: ControllerEnv;
let s3: S3Server;
let azurite: AzuriteBlob;
let tmp: string;

async function contents(url: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmp, 'out-'));
  await extractTarball(await download(url), dir);
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk('');
  return out.sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-bucket-'));
  [env, s3, azurite] = await Promise.all([startControllerEnv(), startS3Server(), startAzuriteBlob()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), s3?.close(), azurite?.close()]);
  await rm(tmp, { recursive: true, force: true });
});

const ref = (name: string) => ({ ...BUCKET, namespace: 'default', name });

describe('Bucket with the generic S3 API (s3rver)', () => {
  it('archives the objects under the prefix, honours ignore rules and follows a new object', async () => {
    const client = new S3Client(
      {},
      {
        endpoint: s3.endpoint,
        bucketName: 'fleet',
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        insecure: true,
      },
    );
    await client.createBucket();
    await client.put('prod/app.yaml', 'kind: Deployment\n');
    await client.put('prod/local.env', 'X=1\n');
    await client.put('dev/app.yaml', 'kind: Deployment\n');
    await env.kube.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's3-creds', namespace: 'default' },
      stringData: { accesskey: s3.accessKeyId, secretkey: s3.secretAccessKey },
    });
    await env.kube.create({
      ...BUCKET,
      metadata: { name: 'fleet', namespace: 'default' },
      spec: {
        provider: 'generic',
        bucketName: 'fleet',
        endpoint: s3.endpoint,
        insecure: true,
        prefix: 'prod/',
        ignore: '*.env\n',
        interval: '1s',
        secretRef: { name: 's3-creds' },
      },
    });
    const first = await waitForReady(env.kube, ref('fleet'), 'True');
    expect(first.status?.artifact?.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.status?.observedIgnore).toBe('*.env\n');
    expect(await sha256(await download(first.status?.artifact?.url ?? ''))).toBe(
      first.status?.artifact?.digest,
    );
    expect(await contents(first.status?.artifact?.url ?? '')).toEqual(['prod/app.yaml']);

    await client.put('prod/svc.yaml', 'kind: Service\n');
    const second = await waitForReady(
      env.kube,
      ref('fleet'),
      'True',
      (o) => o.status?.artifact?.revision !== first.status?.artifact?.revision,
    );
    expect(await contents(second.status?.artifact?.url ?? '')).toEqual(['prod/app.yaml', 'prod/svc.yaml']);
    const event = await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'fleet' && e.message.includes('2 fetched files')),
    );
    expect(event.reason).toBe('NewArtifact');
    expect(event.message).toBe("stored artifact with 2 fetched files from 'fleet' bucket");
  });

  it('reports wrong credentials on the FetchFailed condition', async () => {
    await env.kube.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's3-wrong', namespace: 'default' },
      stringData: { accesskey: 'nobody', secretkey: 'wrong' },
    });
    await env.kube.create({
      ...BUCKET,
      metadata: { name: 'denied', namespace: 'default' },
      spec: {
        bucketName: 'fleet',
        endpoint: s3.endpoint,
        insecure: true,
        interval: '1m',
        secretRef: { name: 's3-wrong' },
      },
    });
    const obj = await waitForReady(env.kube, ref('denied'), 'False');
    expect(conditionOf(obj, 'FetchFailed')?.status).toBe('True');
    expect(conditionOf(obj, 'Ready')?.reason).toMatch(/AuthenticationFailed|BucketOperationFailed/);
  });
});

describe('Bucket with Azure Blob (azurite)', () => {
  it('archives the container with the shared key from the secret, with Flux’s revision over keys and etags', async () => {
    const client = new AzureBlobClient(
      {},
      {
        endpoint: azurite.endpoint,
        container: 'fleet',
        accountName: azurite.accountName,
        accountKey: azurite.accountKey,
      },
    );
    await client.createContainer();
    await client.put('apps/app.yaml', 'kind: Deployment\n');
    await env.kube.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'azure-creds', namespace: 'default' },
      stringData: { accountName: azurite.accountName, accountKey: azurite.accountKey },
    });
    await env.kube.create({
      ...BUCKET,
      metadata: { name: 'azure', namespace: 'default' },
      spec: {
        provider: 'azure',
        bucketName: 'fleet',
        endpoint: azurite.endpoint,
        interval: '1s',
        secretRef: { name: 'azure-creds' },
      },
    });
    const first = await waitForReady(env.kube, ref('azure'), 'True');
    const listed = await client.list('', AbortSignal.timeout(5000));
    expect(first.status?.artifact?.revision).toBe(
      bucketRevision(Object.fromEntries(listed.map((o) => [o.key, o.etag]))),
    );
    await client.put('apps/cm.yaml', 'kind: ConfigMap\n');
    const second = await waitForReady(
      env.kube,
      ref('azure'),
      'True',
      (o) => o.status?.artifact?.revision !== first.status?.artifact?.revision,
    );
    expect(await contents(second.status?.artifact?.url ?? '')).toEqual(['apps/app.yaml', 'apps/cm.yaml']);
    const dir = await mkdtemp(join(tmp, 'az-'));
    await extractTarball(await download(second.status?.artifact?.url ?? ''), dir);
    expect(await readFile(join(dir, 'apps/cm.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });
});
