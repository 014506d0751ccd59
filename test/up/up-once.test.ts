import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster } from '../../src/cluster/index.js';
import { resolveTool } from '../../src/tools/index.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const SLUICE = join(ROOT, 'bin', 'sluice.js');

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sluice up` to completion (the built CLI, as `npm start` does) with a clean environment. */
function up(args: string[], home: string): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [SLUICE, 'up', '--once', '--timeout', '90s', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...GIT_ENV, HOME: home, XDG_DATA_HOME: join(home, 'data'), KUBECONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, env: { ...process.env, ...GIT_ENV } });
  return stdout.trim();
}

/** Creates a git repository at `dir` with `files` committed on `main`. */
async function repository(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'Initial commit');
}

describe('sluice up --once', { timeout: 120_000 }, () => {
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sluice-up-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('delivers the example fleet cluster → infra → apps and exits 0 with a summary', async () => {
    const data = join(home, 'example');
    const run = await up(['--data-dir', data], home);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('example fleet created');
    expect(run.stdout).toContain('Helm repository with greeter@0.1.0 packaged');
    expect(run.stdout).toMatch(/✔ Kustomization\/flux-system\/infra applied revision main@sha1:[0-9a-f]{12}/);
    expect(run.stdout).toContain('✔ HelmRelease/flux-system/greeter installed chart greeter@0.1.0');
    const table = run.stdout.slice(run.stdout.indexOf('NAME '));
    expect(
      table
        .split('\n')
        .slice(0, 6)
        .map((l) => l.split(/\s+/).slice(0, 3).join(' ')),
    ).toEqual([
      'NAME REVISION READY',
      expect.stringMatching(/^gitrepository\/fleet main@sha1:[0-9a-f]{12} True$/),
      expect.stringMatching(/^kustomization\/cluster main@sha1:[0-9a-f]{12} True$/),
      expect.stringMatching(/^kustomization\/infra main@sha1:[0-9a-f]{12} True$/),
      expect.stringMatching(/^kustomization\/apps main@sha1:[0-9a-f]{12} True$/),
      'helmrelease/greeter 0.1.0 True',
    ]);
    expect(run.stdout).toMatch(/all Ready in/);
  });

  it('leaves a helm release of the example chart that the real helm lists', async () => {
    const data = join(home, 'example');
    // The release lives in the cluster's state: serve it again and ask helm.
    const cluster = await startCluster({ dataDir: data, port: 0 });
    try {
      const helm = await resolveTool('helm', { skipPath: true });
      const helmHome = join(home, 'helm');
      const { stdout } = await exec(
        helm,
        ['list', '--all-namespaces', '--output', 'json', '--kubeconfig', join(data, 'kubeconfig')],
        {
          env: {
            ...process.env,
            HELM_CACHE_HOME: join(helmHome, 'cache'),
            HELM_CONFIG_HOME: join(helmHome, 'config'),
            HELM_DATA_HOME: join(helmHome, 'data'),
            KUBECONFIG: '',
          },
        },
      );
      expect(
        (JSON.parse(stdout) as { name: string; namespace: string; status: string; chart: string }[]).map(
          (r) => `${r.namespace}/${r.name} ${r.chart} ${r.status}`,
        ),
      ).toEqual(['podinfo/greeter greeter-0.1.0 deployed']);
    } finally {
      await cluster.stop();
    }
  });

  it('reuses the state of the first run and delivers a commit made in the working clone', async () => {
    const data = join(home, 'example');
    const clone = join(data, 'fleet');
    const settings = join(clone, 'cluster', 'settings.yaml');
    await writeFile(
      settings,
      (await import('node:fs/promises').then((f) => f.readFile(settings, 'utf8'))).replace(
        'region: laptop',
        'region: desk',
      ),
    );
    await git(clone, 'commit', '-q', '-am', 'Move the cluster');
    const head = await git(clone, 'rev-parse', 'HEAD');
    // The post-commit hook pushed the commit to the served repository.
    expect(await git(join(data, 'repos', 'fleet.git'), 'rev-parse', 'refs/heads/main')).toBe(head);
    const run = await up(['--data-dir', data], home);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('example fleet reused');
    expect(run.stdout).toContain('Helm repository with greeter@0.1.0 reused');
    expect(run.stdout).toContain(
      `✔ Kustomization/flux-system/apps applied revision main@sha1:${head.slice(0, 12)}`,
    );
  });

  it('exits 1 with the reason when a repository given with --repo does not build', async () => {
    const repo = join(home, 'broken');
    await repository(repo, {
      'deploy/kustomization.yaml': 'resources:\n  - missing.yaml\n',
    });
    const run = await up(['--data-dir', join(home, 'broken-data'), '--repo', repo, '--path', 'deploy'], home);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Delivery failed');
    expect(run.stderr).toMatch(/Kustomization\/flux-system\/fleet: BuildFailed: .*missing\.yaml/);
  });

  it('delivers a repository bootstrapped by Flux, whose CRDs and controllers apply over Sluice', async () => {
    const repo = join(home, 'flux-bootstrapped');
    await repository(repo, {
      'clusters/local/kustomization.yaml': 'resources:\n  - flux-system\n  - app.yaml\n',
      'clusters/local/flux-system/kustomization.yaml':
        'resources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n',
      'clusters/local/flux-system/gotk-components.yaml': FLUX_LIKE_COMPONENTS,
      'clusters/local/flux-system/gotk-sync.yaml': FLUX_LIKE_SYNC,
      'clusters/local/app.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: default\ndata:\n  greeting: hi\n',
    });
    const run = await up(
      ['--data-dir', join(home, 'flux-data'), '--repo', repo, '--path', 'clusters/local'],
      home,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Flux bootstrap found');
    // Sluice takes the place of gotk-sync.yaml's own source and Kustomization, served from this machine.
    expect(run.stdout).toContain(
      'GitRepository/flux-system/flux-system and Kustomizations flux-system applied',
    );
    expect(run.stdout).toMatch(/gitrepository\/flux-system\s+main@sha1:[0-9a-f]{12}\s+True/);
    expect(run.stdout).toMatch(/kustomization\/flux-system\s+main@sha1:[0-9a-f]{12}\s+True/);
    expect(run.stdout).not.toMatch(/gitrepository\/fleet/);
  });
});

/**
 * A repository's `gotk-components.yaml` in the shape Flux writes it: the namespace, a Flux-shaped CRD for
 * Kustomizations, a service account and a controller Deployment (written for this test).
 */
const FLUX_LIKE_COMPONENTS = `apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
  labels:
    app.kubernetes.io/instance: flux-system
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: kustomizations.kustomize.toolkit.fluxcd.io
  labels:
    app.kubernetes.io/component: kustomize-controller
spec:
  group: kustomize.toolkit.fluxcd.io
  names:
    kind: Kustomization
    listKind: KustomizationList
    plural: kustomizations
    shortNames: [ks]
    singular: kustomization
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
      additionalPrinterColumns:
        - jsonPath: .status.conditions[?(@.type=="Ready")].status
          name: Ready
          type: string
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              x-kubernetes-preserve-unknown-fields: true
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: kustomize-controller
  namespace: flux-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kustomize-controller
  namespace: flux-system
  labels:
    control-plane: controller
spec:
  replicas: 1
  selector:
    matchLabels:
      app: kustomize-controller
  template:
    metadata:
      labels:
        app: kustomize-controller
    spec:
      serviceAccountName: kustomize-controller
      containers:
        - name: manager
          image: registry.example.com/kustomize-controller:v1.0.0
          args: [--watch-all-namespaces, --log-level=info]
`;

/** A `gotk-sync.yaml` in Flux's shape: its own source (a remote it cannot reach here) and Kustomization. */
const FLUX_LIKE_SYNC = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  secretRef:
    name: flux-system
  url: ssh://git@git.example.com/fleet/infra.git
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/local
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;
