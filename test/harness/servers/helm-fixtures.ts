import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveTool } from '../../../src/tools/index.js';

const exec = promisify(execFile);

/** The real helm binary with its cache, config and data homes in a private directory. */
export interface HelmCli {
  run(...args: string[]): Promise<string>;
  /** Writes a minimal chart and packages it with `helm package` into `outDir`; returns the `.tgz` path. */
  packageChart(name: string, version: string, outDir: string): Promise<string>;
  close(): Promise<void>;
}

/** Resolves helm (never the machine's PATH) and isolates its state in a temporary directory. */
export async function createHelmCli(): Promise<HelmCli> {
  const helm = await resolveTool('helm', { skipPath: true });
  const home = await mkdtemp(join(tmpdir(), 'sluice-helm-home-'));
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  const run = async (...args: string[]) => (await exec(helm, args, { env })).stdout;
  return {
    run,
    async packageChart(name, version, outDir) {
      const src = join(home, 'src', `${name}-${version}`, name);
      await mkdir(join(src, 'templates'), { recursive: true });
      await writeFile(
        join(src, 'Chart.yaml'),
        `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "${version}"\ndescription: Test chart\n`,
      );
      await writeFile(join(src, 'values.yaml'), `message: hello from ${version}\n`);
      await writeFile(
        join(src, 'templates', 'configmap.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  message: {{ .Values.message | quote }}\n',
      );
      await mkdir(outDir, { recursive: true });
      await run('package', src, '-d', outDir);
      return join(outDir, `${name}-${version}.tgz`);
    },
    close: () => rm(home, { recursive: true, force: true }),
  };
}

/** Makes a self-signed CA and a server certificate for 127.0.0.1 with openssl; returns PEM strings. */
export async function makeTlsCertificates(): Promise<{ ca: string; cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-tls-'));
  try {
    const o = (...args: string[]) => exec('openssl', args, { cwd: dir });
    await o(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=sluice-test-ca',
    );
    await o(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'tls.key',
      '-out',
      'tls.csr',
      '-subj',
      '/CN=127.0.0.1',
    );
    await writeFile(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await o(
      'x509',
      '-req',
      '-in',
      'tls.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'tls.crt',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
    return {
      ca: await readFile(join(dir, 'ca.crt'), 'utf8'),
      cert: await readFile(join(dir, 'tls.crt'), 'utf8'),
      key: await readFile(join(dir, 'tls.key'), 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
