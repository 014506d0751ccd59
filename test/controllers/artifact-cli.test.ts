import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { OciClient } from '../../src/source/index.js';
import { type Registry, startRegistry } from '../harness/servers/registry.js';

const creds = { username: 'robot', password: 'pa55' };

let registry: Registry;
let secured: Registry;
let tmp: string;

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmp, 'tree-'));
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), c);
  }
  return dir;
}

/** Runs the CLI in-process, capturing stdout. */
async function sluice(...args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await main(args), stdout };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-artifact-cli-'));
  [registry, secured] = await Promise.all([startRegistry(), startRegistry({ tokenAuth: creds })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([registry?.close(), secured?.close()]);
  await rm(tmp, { recursive: true, force: true });
});

describe('sluice push artifact and sluice pull artifact', () => {
  it('publish a directory with Flux’s annotations and extract it back', async () => {
    const url = `oci://${registry.host}/manifests/roundtrip:v3`;
    const dir = await tree({ 'x/y.yaml': 'y: 1\n', '.git/config': 'ignored' });
    const pushed = await sluice(
      'push',
      'artifact',
      url,
      '--path',
      dir,
      '--source',
      'https://git.example/app',
      '--revision',
      'v3@sha1:abc',
      '--annotations',
      'team=platform',
      '--insecure-registry',
      '-o',
      'json',
    );
    expect(pushed.code).toBe(0);
    const result = JSON.parse(pushed.stdout) as { digest: string; tag: string; url: string };
    expect(result.tag).toBe('v3');
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.url).toBe(`oci://${registry.host}/manifests/roundtrip:v3@${result.digest}`);
    const { manifest } = await new OciClient({}, { insecure: true }).getManifest(
      registry.host,
      'manifests/roundtrip',
      'v3',
    );
    expect(manifest.annotations).toMatchObject({
      'org.opencontainers.image.source': 'https://git.example/app',
      'org.opencontainers.image.revision': 'v3@sha1:abc',
      team: 'platform',
    });
    const out = join(tmp, 'pulled');
    const pulled = await sluice('pull', 'artifact', url, '-o', out, '--insecure-registry');
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain(`✔ digest ${result.digest}`);
    expect(await readFile(join(out, 'x/y.yaml'), 'utf8')).toBe('y: 1\n');
    await expect(readFile(join(out, '.git/config'), 'utf8')).rejects.toThrow();
  });

  it('authenticate with --creds and fail without them', async () => {
    const url = `oci://${secured.host}/private/app:latest`;
    const dir = await tree({ 'a.yaml': 'a: 1\n' });
    const args = [
      'push',
      'artifact',
      url,
      '--path',
      dir,
      '--source',
      's',
      '--revision',
      'r',
      '--insecure-registry',
    ];
    expect((await sluice(...args)).code).toBe(1);
    expect((await sluice(...args, '--creds', `${creds.username}:${creds.password}`)).code).toBe(0);
  });
});
