import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTool } from '../tools/index.js';
import { HelmError, HelmErrorCode } from './errors.js';
import type { HelmReleaseRecord } from './release.js';

/** The name of the post-renderer plugin Sluice installs into its private `HELM_PLUGINS`. */
export const POST_RENDERER_PLUGIN = 'sluice-post-render';

/** Options of {@link HelmDriver.create}. */
export interface HelmDriverOptions {
  /** Private directory for helm's cache, config, data and plugins. Required. */
  homeDir: string;
  /** The helm binary. Default: {@link resolveTool}('helm'). */
  helmPath?: string;
  /** Kubeconfig file helm connects with. Default: helm's own lookup (`$KUBECONFIG`, in-cluster). */
  kubeconfigPath?: string;
  /** The kubeconfig context (`--kube-context`). Default: the kubeconfig's current context. */
  kubeContext?: string;
  /** The command the post-renderer plugin runs, before `--config FILE`. Default: `node <sluice>/bin/sluice.js helm post-render`. */
  postRenderCommand?: { command: string; args: string[] };
}

/** What every release action shares. */
export interface ReleaseTarget {
  /** Release name. */
  name: string;
  /** Release (and storage) namespace. */
  namespace: string;
  signal?: AbortSignal;
}

/** Options of install and upgrade. */
export interface ReleaseOptions extends ReleaseTarget {
  /** Path of the chart (`.tgz` or folder). */
  chart: string;
  values: Record<string, unknown>;
  /** Per-operation timeout in ms. Default: 5 minutes. */
  timeoutMs?: number;
  /** Wait for resources to become ready (`--wait=watcher`); hooks are always waited on. Default: true. */
  wait?: boolean;
  /** Wait for Jobs to complete too. Default: true with `wait`. */
  waitForJobs?: boolean;
  disableHooks?: boolean;
  disableOpenAPIValidation?: boolean;
  skipSchemaValidation?: boolean;
  /** Install: skip the chart's `crds/`. */
  skipCRDs?: boolean;
  /** Install: create the namespace. */
  createNamespace?: boolean;
  /** Install/upgrade: adopt existing objects. */
  takeOwnership?: boolean;
  /** Upgrade: releases kept (`--history-max`), 0 for no limit. */
  maxHistory?: number;
  /** Upgrade: `--force-replace`. */
  force?: boolean;
  /** Upgrade: `--cleanup-on-fail`. */
  cleanupOnFail?: boolean;
  /** Upgrade: reuse the last release's values under the new ones. */
  reuseValues?: boolean;
  /** Post-renderers (Flux's `spec.postRenderers`), run by the Sluice plugin. Default: none. */
  postRenderers?: unknown[];
}

/** Options of {@link HelmDriver.rollback}. */
export interface RollbackOptions extends ReleaseTarget {
  /** Revision to roll back to. Default: the previous one. */
  revision?: number;
  timeoutMs?: number;
  wait?: boolean;
  waitForJobs?: boolean;
  disableHooks?: boolean;
  maxHistory?: number;
  cleanupOnFail?: boolean;
  force?: boolean;
}

/** Options of {@link HelmDriver.uninstall}. */
export interface UninstallOptions extends ReleaseTarget {
  timeoutMs?: number;
  wait?: boolean;
  disableHooks?: boolean;
  keepHistory?: boolean;
  /** `--cascade`. Default: `background`. */
  deletionPropagation?: 'background' | 'foreground' | 'orphan';
}

/** Options of {@link HelmDriver.test}. */
export interface TestOptions extends ReleaseTarget {
  timeoutMs?: number;
  /** `--filter name=<n>` / `!name=<n>`. */
  filters?: { name: string; exclude?: boolean }[];
}

/** One line of `helm history -o json`. */
export interface HistoryEntry {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version?: string;
  description?: string;
}

function seconds(ms: number | undefined): string {
  return `${Math.max(1, Math.ceil((ms ?? 300_000) / 1000))}s`;
}

/** helm's error text: the last `Error: …` paragraph of stderr, else all of it. */
function helmMessage(stderr: string, fallback: string): string {
  const text = stderr.trim();
  const at = text.lastIndexOf('Error: ');
  const msg = at >= 0 ? text.slice(at + 'Error: '.length) : text;
  return msg.trim() || fallback;
}

/**
 * Drives the real helm binary: install, upgrade, rollback, uninstall, test, history, status, values and
 * template, each as one helm process with private `HELM_*` homes, a kubeconfig file, values in a temporary
 * file and JSON output. helm's error text is kept verbatim in {@link HelmError} messages; aborting the
 * signal kills the process.
 */
export class HelmDriver {
  #helm: string | undefined;
  readonly #home: string;
  readonly #kubeconfig: string | undefined;
  readonly #context: string | undefined;
  readonly #env: NodeJS.ProcessEnv;

  private constructor(
    helm: string | undefined,
    home: string,
    kubeconfig: string | undefined,
    context: string | undefined,
  ) {
    this.#helm = helm;
    this.#context = context;
    this.#home = home;
    this.#kubeconfig = kubeconfig;
    this.#env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      HELM_PLUGINS: join(home, 'plugins'),
      ...(process.env.KUBERNETES_SERVICE_HOST
        ? {
            KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST,
            KUBERNETES_SERVICE_PORT: process.env.KUBERNETES_SERVICE_PORT ?? '443',
          }
        : {}),
      ...(kubeconfig
        ? { KUBECONFIG: kubeconfig }
        : process.env.KUBECONFIG
          ? { KUBECONFIG: process.env.KUBECONFIG }
          : {}),
    };
  }

  /** Prepares the private homes and the post-renderer plugin; helm itself is found on first use. */
  static async create(options: HelmDriverOptions): Promise<HelmDriver> {
    const helm = options.helmPath;
    const home = options.homeDir;
    for (const d of ['cache', 'config', 'data', 'tmp']) await mkdir(join(home, d), { recursive: true });
    const pluginDir = join(home, 'plugins', POST_RENDERER_PLUGIN);
    await mkdir(pluginDir, { recursive: true });
    const cmd = options.postRenderCommand ?? {
      command: process.execPath,
      args: [fileURLToPath(new URL('../../bin/sluice.js', import.meta.url)), 'helm', 'post-render'],
    };
    await writeFile(
      join(pluginDir, 'plugin.yaml'),
      [
        'apiVersion: v1',
        'type: postrenderer/v1',
        `name: ${POST_RENDERER_PLUGIN}`,
        'version: 0.1.0',
        'runtime: subprocess',
        'runtimeConfig:',
        '  platformCommand:',
        `    - command: ${JSON.stringify(cmd.command)}`,
        `      args: ${JSON.stringify(cmd.args)}`,
        '',
      ].join('\n'),
    );
    return new HelmDriver(helm, home, options.kubeconfigPath, options.kubeContext);
  }

  /** The helm binary in use (resolved on first call). */
  async helmPath(): Promise<string> {
    this.#helm ??= await resolveTool('helm');
    return this.#helm;
  }

  /** Runs helm with `args` and returns stdout; throws {@link HelmError} with helm's message on failure. */
  async run(args: string[], options: { signal?: AbortSignal; action?: string } = {}): Promise<string> {
    const action = options.action ?? args[0] ?? 'helm';
    const all = [...args];
    if (this.#kubeconfig) all.push('--kubeconfig', this.#kubeconfig);
    if (this.#context) all.push('--kube-context', this.#context);
    const helm = await this.helmPath();
    return new Promise((resolve, reject) => {
      execFile(
        helm,
        all,
        {
          env: this.#env,
          maxBuffer: 256 * 1024 * 1024,
          killSignal: 'SIGKILL',
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          if (options.signal?.aborted) return reject(options.signal.reason ?? err);
          const exitCode = typeof err.code === 'number' ? err.code : undefined;
          const message = helmMessage(stderr, err.message);
          const code = /release: not found|not found$/.test(message)
            ? HelmErrorCode.ReleaseNotFound
            : HelmErrorCode.CommandFailed;
          reject(new HelmError(code, action, message, { cause: err, ...(exitCode ? { exitCode } : {}) }));
        },
      );
    });
  }

  async #withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(this.#home, 'tmp', 'run-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #releaseArgs(dir: string, o: ReleaseOptions): Promise<string[]> {
    const valuesFile = join(dir, 'values.json');
    await writeFile(valuesFile, JSON.stringify(o.values ?? {}));
    const args = [o.name, o.chart, '-n', o.namespace, '-f', valuesFile, '--timeout', seconds(o.timeoutMs)];
    args.push('-o', 'json');
    const wait = o.wait ?? true;
    args.push(`--wait=${wait ? 'watcher' : 'hookOnly'}`);
    if (wait && (o.waitForJobs ?? true)) args.push('--wait-for-jobs');
    if (o.disableHooks) args.push('--no-hooks');
    if (o.disableOpenAPIValidation) args.push('--disable-openapi-validation');
    if (o.skipSchemaValidation) args.push('--skip-schema-validation');
    if (o.takeOwnership) args.push('--take-ownership');
    if (o.postRenderers && o.postRenderers.length > 0) {
      const config = join(dir, 'post-render.json');
      await writeFile(config, JSON.stringify({ postRenderers: o.postRenderers }));
      args.push('--post-renderer', POST_RENDERER_PLUGIN);
      args.push('--post-renderer-args', '--config', '--post-renderer-args', config);
    }
    return args;
  }

  #parseRelease(action: string, out: string): HelmReleaseRecord {
    try {
      return JSON.parse(out) as HelmReleaseRecord;
    } catch (err) {
      throw new HelmError(
        HelmErrorCode.OutputInvalid,
        action,
        `helm ${action} printed no release: ${out.slice(0, 200)}`,
        {
          cause: err,
        },
      );
    }
  }

  /** `helm install`; resolves to the new release. */
  install(o: ReleaseOptions): Promise<HelmReleaseRecord> {
    return this.#withTemp(async (dir) => {
      const args = ['install', ...(await this.#releaseArgs(dir, o))];
      if (o.skipCRDs) args.push('--skip-crds');
      if (o.createNamespace) args.push('--create-namespace');
      return this.#parseRelease('install', await this.run(args, sig(o.signal)));
    });
  }

  /** `helm upgrade`; resolves to the new release. */
  upgrade(o: ReleaseOptions): Promise<HelmReleaseRecord> {
    return this.#withTemp(async (dir) => {
      const args = ['upgrade', ...(await this.#releaseArgs(dir, o))];
      args.push('--history-max', String(o.maxHistory ?? 5));
      args.push(o.reuseValues ? '--reuse-values' : '--reset-values');
      if (o.force) args.push('--force-replace');
      if (o.cleanupOnFail) args.push('--cleanup-on-fail');
      return this.#parseRelease('upgrade', await this.run(args, sig(o.signal)));
    });
  }

  /** `helm rollback` to `revision` (default the previous one). */
  async rollback(o: RollbackOptions): Promise<void> {
    const args = ['rollback', o.name, ...(o.revision ? [String(o.revision)] : []), '-n', o.namespace];
    args.push('--timeout', seconds(o.timeoutMs), '--history-max', String(o.maxHistory ?? 5));
    const wait = o.wait ?? true;
    args.push(`--wait=${wait ? 'watcher' : 'hookOnly'}`);
    if (wait && (o.waitForJobs ?? true)) args.push('--wait-for-jobs');
    if (o.disableHooks) args.push('--no-hooks');
    if (o.cleanupOnFail) args.push('--cleanup-on-fail');
    if (o.force) args.push('--force-replace');
    await this.run(args, sig(o.signal));
  }

  /** `helm uninstall`. A missing release is not an error. */
  async uninstall(o: UninstallOptions): Promise<void> {
    const args = ['uninstall', o.name, '-n', o.namespace, '--ignore-not-found'];
    args.push('--timeout', seconds(o.timeoutMs), '--cascade', o.deletionPropagation ?? 'background');
    if (o.wait ?? true) args.push('--wait');
    if (o.disableHooks) args.push('--no-hooks');
    if (o.keepHistory) args.push('--keep-history');
    await this.run(args, sig(o.signal));
  }

  /** `helm test`; resolves to helm's report. Throws when a test fails. */
  test(o: TestOptions): Promise<string> {
    const args = ['test', o.name, '-n', o.namespace, '--timeout', seconds(o.timeoutMs)];
    for (const f of o.filters ?? []) args.push('--filter', `${f.exclude ? '!' : ''}name=${f.name}`);
    return this.run(args, sig(o.signal));
  }

  /** `helm history -o json`, oldest first; empty when the release does not exist. */
  async history(o: ReleaseTarget & { max?: number }): Promise<HistoryEntry[]> {
    try {
      const out = await this.run(
        ['history', o.name, '-n', o.namespace, '-o', 'json', '--max', String(o.max ?? 256)],
        sig(o.signal),
      );
      return JSON.parse(out) as HistoryEntry[];
    } catch (err) {
      if (err instanceof HelmError && err.code === HelmErrorCode.ReleaseNotFound) return [];
      throw err;
    }
  }

  /** `helm status -o json`; undefined when the release does not exist. */
  async status(o: ReleaseTarget & { revision?: number }): Promise<HelmReleaseRecord | undefined> {
    try {
      const args = ['status', o.name, '-n', o.namespace, '-o', 'json'];
      if (o.revision) args.push('--revision', String(o.revision));
      return this.#parseRelease('status', await this.run(args, sig(o.signal)));
    } catch (err) {
      if (err instanceof HelmError && err.code === HelmErrorCode.ReleaseNotFound) return undefined;
      throw err;
    }
  }

  /** `helm get values -o json` (`--all` for the computed values). */
  async getValues(o: ReleaseTarget & { all?: boolean; revision?: number }): Promise<Record<string, unknown>> {
    const args = ['get', 'values', o.name, '-n', o.namespace, '-o', 'json'];
    if (o.all) args.push('--all');
    if (o.revision) args.push('--revision', String(o.revision));
    const out = await this.run(args, { ...sig(o.signal), action: 'get values' });
    return (JSON.parse(out) as Record<string, unknown> | null) ?? {};
  }

  /** `helm template`: the rendered manifests (after the post-renderers). */
  template(o: ReleaseOptions): Promise<string> {
    return this.#withTemp(async (dir) => {
      const args = ['template', ...(await this.#releaseArgs(dir, o))].filter(
        (a, i, all) => !(a === '-o' || all[i - 1] === '-o' || a.startsWith('--wait')),
      );
      if (o.skipCRDs !== true) args.push('--include-crds');
      return this.run(args, sig(o.signal));
    });
  }
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
