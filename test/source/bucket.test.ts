import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AzureBlobClient,
  bucketRevision,
  fetchAzureBucket,
  fetchS3Bucket,
  S3Client,
  SourceError,
} from '../../src/source/index.js';
import { type AzuriteBlob, startAzuriteBlob } from '../harness/servers/azurite.js';
import { freePort } from '../harness/servers/free-port.js';
import { type S3Server, startS3Server } from '../harness/servers/s3.js';

let tmp: string;
let n = 0;
const outDir = () => join(tmp, `out-${n++}`);

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, p)));
    else out.push(p);
  }
  return out.sort();
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-bucket-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('bucketRevision', () => {
  it('hashes sorted "key etag" lines as Flux does', () => {
    const expected = createHash('sha256').update('a.yaml e1\nb/c.yaml e2\n').digest('hex');
    expect(bucketRevision({ 'b/c.yaml': 'e2', 'a.yaml': 'e1' })).toBe(`sha256:${expected}`);
  });
});

describe('fetchS3Bucket against s3rver', () => {
  let s3: S3Server;
  let client: S3Client;
  let opts: {
    endpoint: string;
    bucketName: string;
    accessKeyId: string;
    secretAccessKey: string;
    insecure: boolean;
  };

  beforeAll(async () => {
    s3 = await startS3Server();
    opts = {
      endpoint: s3.endpoint,
      bucketName: 'manifests',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      insecure: true,
    };
    client = new S3Client({}, opts);
    await client.createBucket();
    await client.put('apps/app.yaml', 'kind: Deployment\n');
    await client.put('apps/local.env', 'SECRET=1\n');
    await client.put('infra/ns.yaml', 'kind: Namespace\n');
    await client.put('other/readme.md', 'hi\n');
    await client.put('.sourceignore', '*.env\n');
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('downloads the objects, honouring .sourceignore from the bucket and spec.ignore', async () => {
    const out = outDir();
    const res = await fetchS3Bucket({}, { ...opts, outDir: out, ignore: 'other/\n' });
    expect(await listFiles(out)).toEqual(['apps/app.yaml', 'infra/ns.yaml']);
    expect(await readFile(join(out, 'apps/app.yaml'), 'utf8')).toBe('kind: Deployment\n');
    expect(Object.keys(res.index).sort()).toEqual(['apps/app.yaml', 'infra/ns.yaml']);
    expect(res.index['apps/app.yaml']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.revision).toBe(bucketRevision(res.index));
  });

  it('limits the fetch to a prefix', async () => {
    const out = outDir();
    await fetchS3Bucket({}, { ...opts, outDir: out, prefix: 'infra/' });
    expect(await listFiles(out)).toEqual(['infra/ns.yaml']);
  });

  it('sees a new or changed object as a new revision, and an unchanged bucket as the same', async () => {
    const before = await fetchS3Bucket({}, { ...opts, outDir: outDir() });
    expect((await fetchS3Bucket({}, { ...opts, outDir: outDir() })).revision).toBe(before.revision);
    await client.put('infra/quota.yaml', 'kind: ResourceQuota\n');
    const added = await fetchS3Bucket({}, { ...opts, outDir: outDir() });
    expect(added.revision).not.toBe(before.revision);
    await client.put('infra/quota.yaml', 'kind: ResourceQuota\nspec: {}\n');
    const changed = await fetchS3Bucket({}, { ...opts, outDir: outDir() });
    expect(changed.revision).not.toBe(added.revision);
  });

  it('reports AuthenticationFailed for an unknown access key and FetchFailed for an unreachable endpoint', async () => {
    // s3rver checks the access key id but not SigV4 signatures.
    const wrong = await failure(fetchS3Bucket({}, { ...opts, accessKeyId: 'NOPE', outDir: outDir() }));
    expect(wrong.code).toBe('AuthenticationFailed');
    expect(wrong.message).toContain("bucket 'manifests'");
    const port = await freePort();
    const down = await failure(
      fetchS3Bucket({}, { ...opts, endpoint: `127.0.0.1:${port}`, outDir: outDir(), timeoutMs: 5_000 }),
    );
    expect(down.code).toBe('FetchFailed');
  });
});

describe('fetchAzureBucket against Azurite', () => {
  let azurite: AzuriteBlob;
  let client: AzureBlobClient;
  let opts: { endpoint: string; container: string; accountName: string; accountKey: string };

  beforeAll(async () => {
    azurite = await startAzuriteBlob();
    opts = {
      endpoint: azurite.endpoint,
      container: 'manifests',
      accountName: azurite.accountName,
      accountKey: azurite.accountKey,
    };
    client = new AzureBlobClient({}, opts);
    await client.createContainer();
    await client.put('apps/app.yaml', 'kind: Deployment\n');
    await client.put('apps/secret.key', 'k');
    await client.put('infra/ns.yaml', 'kind: Namespace\n');
  });
  afterAll(async () => {
    await azurite?.close();
  });

  it('downloads blobs with Shared Key auth, a prefix and spec.ignore', async () => {
    const out = outDir();
    const res = await fetchAzureBucket({}, { ...opts, outDir: out, ignore: '*.key' });
    expect(await listFiles(out)).toEqual(['apps/app.yaml', 'infra/ns.yaml']);
    expect(res.revision).toBe(bucketRevision(res.index));
    const scoped = outDir();
    await fetchAzureBucket({}, { ...opts, outDir: scoped, prefix: 'infra/' });
    expect(await listFiles(scoped)).toEqual(['infra/ns.yaml']);
  });

  it('sees a new blob as a new revision', async () => {
    const before = await fetchAzureBucket({}, { ...opts, outDir: outDir() });
    expect((await fetchAzureBucket({}, { ...opts, outDir: outDir() })).revision).toBe(before.revision);
    await client.put('infra/quota.yaml', 'kind: ResourceQuota\n');
    const after = await fetchAzureBucket({}, { ...opts, outDir: outDir() });
    expect(after.revision).not.toBe(before.revision);
    expect(after.index['infra/quota.yaml']).toMatch(/^[0-9a-f]+$/);
  });

  it('accepts an account SAS token instead of the key', async () => {
    const expiry = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const fields = { sv: '2021-08-06', ss: 'b', srt: 'sco', sp: 'rl', se: expiry, spr: 'https,http' };
    const toSign = [
      opts.accountName,
      fields.sp,
      fields.ss,
      fields.srt,
      '',
      fields.se,
      '',
      fields.spr,
      fields.sv,
      '',
      '',
    ].join('\n');
    const sig = createHmac('sha256', Buffer.from(opts.accountKey, 'base64')).update(toSign).digest('base64');
    const sasToken = `?${new URLSearchParams({ ...fields, sig })}`;
    const out = outDir();
    const res = await fetchAzureBucket(
      {},
      { endpoint: opts.endpoint, container: opts.container, sasToken, outDir: out },
    );
    expect(Object.keys(res.index)).toContain('infra/ns.yaml');
    expect(await readFile(join(out, 'infra/ns.yaml'), 'utf8')).toBe('kind: Namespace\n');
    const forged = `?${new URLSearchParams({ ...fields, sig: Buffer.alloc(32).toString('base64') })}`;
    const err = await failure(
      fetchAzureBucket(
        {},
        { endpoint: opts.endpoint, container: opts.container, sasToken: forged, outDir: outDir() },
      ),
    );
    expect(err.code).toBe('AuthenticationFailed');
  });

  it('reports AuthenticationFailed for a wrong account key', async () => {
    const wrongKey = Buffer.from('not the key at all, not at all!!').toString('base64');
    const err = await failure(fetchAzureBucket({}, { ...opts, accountKey: wrongKey, outDir: outDir() }));
    expect(err.code).toBe('AuthenticationFailed');
    expect(err.message).toContain("container 'manifests'");
  });
});
