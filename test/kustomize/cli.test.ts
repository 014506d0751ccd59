import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sluice.js');
const CASES = join(import.meta.dirname, 'cases');

describe('sluice kustomize build', () => {
  it('prints the same bytes as kubectl kustomize for an overlay', async () => {
    const { stdout } = await run(process.execPath, [
      BIN,
      'kustomize',
      'build',
      join(CASES, 'rbac-namespace', 'input'),
    ]);
    expect(stdout).toBe(readFileSync(join(CASES, 'rbac-namespace', 'expected.yaml'), 'utf8'));
  });

  it('exits 1 and names the file and the cause on stderr when the input is broken', async () => {
    const err = await run(process.execPath, [
      BIN,
      'kustomize',
      'build',
      join(CASES, 'error-malformed', 'input'),
    ]).then(
      () => undefined,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stdout).toBe('');
    expect(err?.stderr).toMatch(/bad\.yaml is not valid YAML/);
  });

  it('takes --enable-helm, and fails a kustomization with helmCharts naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-helmcharts-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        'helmCharts:\n- name: podinfo\n  repo: https://stefanprodan.github.io/podinfo\n  version: 6.5.0\n',
      );
      const err = await run(process.execPath, [BIN, 'kustomize', 'build', '--enable-helm', dir]).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(err?.code).toBe(1);
      expect(err?.stderr).toMatch(/kustomization\.yaml: the field helmCharts is not supported/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown --reorder value like kubectl', async () => {
    const err = await run(process.execPath, [BIN, 'kustomize', 'build', '--reorder', 'sideways', CASES]).then(
      () => undefined,
      (e: { code: number }) => e,
    );
    expect(err?.code).not.toBe(0);
  });
});
