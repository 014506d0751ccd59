import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArtifactServer,
  ArtifactStore,
  createArtifactServer,
  extractTarball,
  SourceError,
  SourceIgnore,
} from '../../src/source/index.js';
import { rawTarGz } from './raw-tar.js';

let tmp: string;
let server: ArtifactServer;
let store: ArtifactStore;
const owner = { kind: 'GitRepository', namespace: 'flux-system', name: 'podinfo' };

async function tree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), content);
  }
}

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, p)));
    else out.push(p);
  }
  return out.sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-storage-'));
  server = await createArtifactServer({}, { root: join(tmp, 'store') });
  store = new ArtifactStore({}, { root: join(tmp, 'store'), baseUrl: server.url, retentionRecords: 2 });
});

afterAll(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('ArtifactStore', () => {
  it('archives a tree under Flux’s path layout, serves it over HTTP, and extracts it back', async () => {
    const src = join(tmp, 'src1');
    await tree(src, {
      'deploy/app.yaml': 'kind: Deployment\n',
      'README.md': 'hello\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.github/workflows/ci.yaml': 'on: push\n',
      'logo.png': 'png',
      'secret/.sourceignore': '*.key\n',
      'secret/a.key': 'k',
      'secret/keep.yaml': 'x: 1\n',
    });
    const sha = 'a'.repeat(40);
    const ignore = await SourceIgnore.load(src);
    const artifact = await store.archive(owner, src, {
      revision: `main@sha1:${sha}`,
      filter: ignore.toFilter(),
    });
    expect(artifact.path).toBe(`gitrepository/flux-system/podinfo/${sha}.tar.gz`);
    expect(artifact.url).toBe(`${server.url}/gitrepository/flux-system/podinfo/${sha}.tar.gz`);
    expect(artifact.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(artifact.lastUpdateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await store.verify(artifact)).toBe(true);

    const res = await fetch(artifact.url);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(artifact.size);
    const out = join(tmp, 'out1');
    await extractTarball(body, out);
    expect(await listFiles(out)).toEqual([
      'README.md',
      'deploy/app.yaml',
      'secret/.sourceignore',
      'secret/keep.yaml',
    ]);

    // The same tree archives to the same bytes.
    const again = await store.archive(owner, src, {
      revision: 'x',
      file: 'again.tar.gz',
      filter: ignore.toFilter(),
    });
    expect(again.digest).toBe(artifact.digest);
  });

  it('serves 404 for missing files, traversal attempts and temporary files', async () => {
    await mkdir(join(tmp, 'store', 'gitrepository', 'ns', 'n'), { recursive: true });
    await writeFile(join(tmp, 'store', 'gitrepository', 'ns', 'n', '.tmp-abc'), 'partial');
    await writeFile(join(tmp, 'outside.txt'), 'secret');
    for (const p of [
      '/nope.tar.gz',
      '/gitrepository/ns/n/.tmp-abc',
      '/../outside.txt',
      '/%2e%2e/outside.txt',
      '/',
    ]) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status, p).toBe(404);
    }
  });

  it('never leaves a half-written artifact under its final name when writing fails', async () => {
    const missing = join(tmp, 'does-not-exist');
    await expect(
      store.archive(owner, missing, { revision: 'r', file: 'broken.tar.gz' }),
    ).rejects.toMatchObject({
      code: 'StorageOperationFailed',
    });
    const names = await readdir(join(tmp, 'store', 'gitrepository', 'flux-system', 'podinfo'));
    expect(names.filter((n) => n === 'broken.tar.gz' || n.startsWith('.tmp-'))).toEqual([]);
  });

  it('garbage collects all but the newest artifacts and those past the TTL, never the current one', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const gcStore = new ArtifactStore(
      { now: () => now },
      { root: join(tmp, 'gcstore'), baseUrl: 'http://x', retentionRecords: 2, retentionTtlMs: 60_000 },
    );
    const o = { kind: 'Bucket', namespace: 'default', name: 'b' };
    const paths: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await gcStore.storeBytes(o, `${i}.tar.gz`, `content ${i}`, { revision: `sha256:${i}` });
      const t = new Date(now.getTime() - (4 - i) * 10_000);
      await utimes(gcStore.localPath(a.path), t, t);
      paths.push(a.path);
    }
    // Files are 40s, 30s, 20s and 10s old: the two newest stay.
    expect((await gcStore.garbageCollect(o, paths[3])).sort()).toEqual([paths[0], paths[1]]);
    now = new Date(now.getTime() + 120_000);
    // Past the TTL only the current artifact is kept.
    expect(await gcStore.garbageCollect(o, paths[3])).toEqual([paths[2]]);
    await stat(gcStore.localPath(paths[3]!));
  });

  it('names the file after the commit and digests plain files', async () => {
    const a = await store.storeBytes(
      { kind: 'HelmRepository', namespace: 'ns', name: 'repo' },
      'index.yaml',
      'x',
      {
        revision: 'sha256:1',
      },
    );
    expect(a.digest).toBe('sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    expect(await readFile(store.localPath(a.path), 'utf8')).toBe('x');
  });
});

describe('extractTarball', () => {
  const cases: { name: string; entries: Parameters<typeof rawTarGz>[0]; reason: RegExp }[] = [
    { name: 'a path with ..', entries: [{ path: '../evil.txt', data: 'x' }], reason: /'\.\.' path segment/ },
    { name: 'a nested path with ..', entries: [{ path: 'a/../../evil.txt', data: 'x' }], reason: /'\.\.'/ },
    { name: 'an absolute path', entries: [{ path: '/tmp/evil.txt', data: 'x' }], reason: /absolute path/ },
    {
      name: 'a symlink out of the tree',
      entries: [{ path: 'link', type: '2', linkpath: '../../etc' }],
      reason: /points out of the tree/,
    },
    {
      name: 'an absolute symlink',
      entries: [{ path: 'link', type: '2', linkpath: '/etc/passwd' }],
      reason: /absolute path/,
    },
    {
      name: 'a hard link out of the tree',
      entries: [{ path: 'hard', type: '1', linkpath: '../outside.txt' }],
      reason: /points out of the tree/,
    },
    { name: 'a character device', entries: [{ path: 'dev', type: '3' }], reason: /CharacterDevice/ },
    { name: 'a FIFO', entries: [{ path: 'fifo', type: '6' }], reason: /FIFO/ },
    {
      name: 'a file larger than the limit',
      entries: [{ path: 'big.bin', data: Buffer.alloc(64 * 1024) }],
      reason: /exceeds 10000 bytes/,
    },
    {
      name: 'too many files',
      entries: Array.from({ length: 12 }, (_, i) => ({ path: `f${i}`, data: 'x' })),
      reason: /more than 10 entries/,
    },
  ];

  for (const c of cases) {
    it(`refuses an archive with ${c.name}`, async () => {
      const out = join(tmp, 'evil', c.name.replace(/\W+/g, '-'));
      const err = await extractTarball(rawTarGz(c.entries), out, { maxBytes: 10_000, maxFiles: 10 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).code).toBe('UnsafeArchive');
      expect((err as Error).message).toMatch(c.reason);
      await expect(stat(out)).rejects.toThrow();
    });
  }

  it('extracts symlinks and hard links that stay inside the tree', async () => {
    const out = join(tmp, 'links');
    const res = await extractTarball(
      rawTarGz([
        { path: 'dir/', type: '5' },
        { path: 'dir/a.txt', data: 'hello' },
        { path: 'dir/sym', type: '2', linkpath: 'a.txt' },
        { path: 'hard', type: '1', linkpath: 'dir/a.txt' },
      ]),
      out,
    );
    expect(res.files).toBe(4);
    expect(await readFile(join(out, 'dir/sym'), 'utf8')).toBe('hello');
    expect(await readFile(join(out, 'hard'), 'utf8')).toBe('hello');
  });

  it('leaves out symlinks when archiving', async () => {
    const src = join(tmp, 'withlink');
    await tree(src, { 'a.txt': 'a' });
    await symlink('/etc/passwd', join(src, 'passwd'));
    const a = await store.archive({ kind: 'Bucket', namespace: 'ns', name: 'l' }, src, {
      revision: 'sha256:ab',
    });
    const out = join(tmp, 'withlink-out');
    await extractTarball(store.localPath(a.path), out);
    expect(await listFiles(out)).toEqual(['a.txt']);
  });
});
