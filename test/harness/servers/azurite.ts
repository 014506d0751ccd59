import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, waitForPort } from './free-port.js';

/** A running Azurite blob service on 127.0.0.1. */
export interface AzuriteBlob {
  /** Path-style account endpoint: `http://127.0.0.1:<port>/devstoreaccount1`. */
  endpoint: string;
  accountName: string;
  /** Azurite's well-known development account key. */
  accountKey: string;
  close(): Promise<void>;
}

const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Starts `azurite-blob` (the npm package's blob server) in a child process on a random port. */
export async function startAzuriteBlob(): Promise<AzuriteBlob> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-azurite-'));
  const port = await freePort();
  const pkg = dirname(createRequire(import.meta.url).resolve('azurite/package.json'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(pkg, 'dist', 'src', 'blob', 'main.js'),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--location',
      dir,
      '--silent',
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 20_000, () => !exited);
  } catch (err) {
    await stop();
    throw new Error(`azurite-blob did not start: ${stderr}`, { cause: err });
  }
  return {
    endpoint: `http://127.0.0.1:${port}/${ACCOUNT}`,
    accountName: ACCOUNT,
    accountKey: KEY,
    close: stop,
  };
}
