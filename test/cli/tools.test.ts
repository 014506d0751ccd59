import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'sluice.js');

describe('sluice tools which', () => {
  it('with --skip-path prints the bundled kubectl 1.35 even when PATH holds another one', async () => {
    // A PATH whose first kubectl is a stand-in, not the bundled one.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(import.meta.dirname, 'fake-bin')}:${process.env.PATH ?? ''}`,
    };
    delete env.SLUICE_KUBECTL;
    const { stdout } = await run(process.execPath, [BIN, 'tools', 'which', 'kubectl', '--skip-path'], {
      env,
    });
    const path = stdout.trim();
    expect(existsSync(path)).toBe(true);
    expect(path).not.toContain('fake-bin');
    const version = await run(path, ['version', '--client', '-o', 'json']);
    expect(JSON.parse(version.stdout).clientVersion.minor).toBe('35');
  });

  it('names the tools it knows when given another', async () => {
    const err = await run(process.execPath, [BIN, 'tools', 'which', 'kubeadm']).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('Unknown tool kubeadm: expected kubectl or helm');
  });
});
