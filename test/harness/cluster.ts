import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterOptions, type RunningCluster, startCluster } from '../../src/cluster/index.js';
import { resolveTool } from '../../src/tools/index.js';

/** The outcome of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running `kubectl … -w` (or any long-running kubectl) whose output is collected. */
export interface KubectlStream {
  /** Output so far. */
  readonly stdout: () => string;
  /** Resolves once stdout contains `text` (rejects after `timeoutMs`, default 10 s). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Stops the process. */
  stop(): Promise<void>;
}

/** An embedded cluster started for a test suite, with kubectl wired to it. */
export interface TestCluster {
  url: string;
  kubeconfigPath: string;
  /** The temporary directory holding the data, kubeconfig and kubectl's cache. */
  dir: string;
  cluster: RunningCluster;
  /** Runs the bundled kubectl 1.35 against the cluster; never throws on a non-zero exit. */
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Runs kubectl and returns stdout; throws with stderr when it exits non-zero. */
  kubectlOk(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Starts a long-running kubectl (for `get -w`). */
  kubectlStream(args: string[]): KubectlStream;
  /** Stops the cluster and removes the temporary directory. */
  stop(): Promise<void>;
}

/**
 * Starts an in-process embedded cluster on a random loopback port with a temporary data directory (HTTPS
 * and a token, like `sluice cluster start`), and returns helpers that run the bundled kubectl against it
 * with a private discovery cache.
 */
export async function startTestCluster(options: Partial<ClusterOptions> = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cluster-'));
  const kubectlPath = await resolveTool('kubectl', { skipPath: true });
  const cluster = await startCluster({ dataDir: join(dir, 'data'), port: 0, ...options });
  const kubeconfigPath = cluster.kubeconfigPath!;
  const baseArgs = ['--kubeconfig', kubeconfigPath, '--cache-dir', join(dir, 'kube-cache')];
  const env = { ...process.env, KUBECONFIG: kubeconfigPath, HOME: dir };
  const streams = new Set<ChildProcess>();

  const kubectl = (args: string[], opts: { input?: string; timeoutMs?: number } = {}) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        kubectlPath,
        [...baseArgs, ...args],
        { env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 32 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });

  return {
    url: cluster.url,
    kubeconfigPath,
    dir,
    cluster,
    kubectl,
    async kubectlOk(args, opts) {
      const result = await kubectl(args, opts);
      if (result.code !== 0) {
        throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
      }
      return result.stdout;
    },
    kubectlStream(args) {
      const child = spawn(kubectlPath, [...baseArgs, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      streams.add(child);
      let out = '';
      const waiters = new Set<() => void>();
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        for (const w of [...waiters]) w();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        for (const w of [...waiters]) w();
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      return {
        stdout: () => out,
        waitFor(text, timeoutMs = 10_000) {
          const found = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
          if (found()) return Promise.resolve(out);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`kubectl ${args.join(' ')} did not print ${String(text)}; output:\n${out}`));
            }, timeoutMs);
            const check = () => {
              if (!found()) return;
              clearTimeout(timer);
              waiters.delete(check);
              resolve(out);
            };
            waiters.add(check);
          });
        },
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
          streams.delete(child);
        },
      };
    },
    async stop() {
      for (const child of streams) child.kill('SIGKILL');
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const SLUICE_BIN = join(import.meta.dirname, '..', '..', 'bin', 'sluice.js');

/** A `sluice cluster start` child process, once it has printed where it listens. */
export interface ClusterProcess {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

/** Runs `sluice cluster start ARGS` (the built CLI) and waits for its "listening" line, for up to 20 s. */
export function startClusterProcess(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ClusterProcess> {
  const child = spawn(process.execPath, [SLUICE_BIN, 'cluster', 'start', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /^sluice cluster listening on (\S+), kubeconfig (\S+)\n/.exec(out);
      if (match) resolvePromise({ child, url: match[1]!, kubeconfig: match[2]!, exited });
    });
    exited.then((code) => reject(new Error(`sluice cluster start exited ${code}: ${err}${out}`)));
    setTimeout(() => reject(new Error(`sluice cluster start printed nothing: ${err}${out}`)), 20_000);
  });
}
