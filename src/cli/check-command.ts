import type { Command } from 'commander';
import type { KubeObject } from '../kube/index.js';
import {
  addClusterFlags,
  type CliIO,
  type ClusterFlags,
  connectCluster,
  Logger,
  processIO,
  timeoutMs,
} from './common/index.js';

/** The oldest Kubernetes version Sluice supports, as a semver range. */
const MIN_KUBERNETES = '>=1.30.0-0';

interface CheckFlags extends ClusterFlags {
  pre?: boolean;
  controllersHealth?: string[];
}

interface CrdObject {
  spec?: { versions?: { name: string; served?: boolean; storage?: boolean }[] };
  status?: { conditions?: { type: string; status: string; message?: string }[]; storedVersions?: string[] };
}

async function runCheck(flags: CheckFlags, io: CliIO): Promise<void> {
  const log = new Logger(io);
  const { SluiceError, crdManifests } = await import('../api/index.js');
  const semver = (await import('semver')).default;
  let ok = true;
  log.action('checking prerequisites');
  const kube = await connectCluster(flags, io);
  try {
    let version: { gitVersion?: string };
    try {
      version = await kube.request('GET', '/version', { timeoutMs: Math.min(timeoutMs(flags), 30_000) });
    } catch (err) {
      log.failure(`Kubernetes API at ${kube.server} is not reachable: ${(err as Error).message}`);
      throw new SluiceError('CheckFailed', 'Check failed: the cluster is not reachable', { cause: err });
    }
    const v = semver.coerce(version.gitVersion ?? '')?.version;
    if (v && semver.satisfies(v, MIN_KUBERNETES)) log.success(`Kubernetes ${v} ${MIN_KUBERNETES}`);
    else {
      ok = false;
      log.failure(
        `Kubernetes ${version.gitVersion ?? 'of unknown version'} does not match ${MIN_KUBERNETES}`,
      );
    }
    if (flags.pre) {
      if (!ok) throw new SluiceError('CheckFailed', 'Prerequisites check failed');
      log.success('prerequisites checks passed');
      return;
    }
    if (flags.controllersHealth?.length) {
      log.action('checking controllers');
      for (const url of flags.controllersHealth) {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
          if (res.ok) log.success(`controllers healthy at ${url}`);
          else {
            ok = false;
            log.failure(`controllers at ${url} answered ${res.status}`);
          }
        } catch (err) {
          ok = false;
          log.failure(`controllers at ${url} are not reachable: ${(err as Error).message}`);
        }
      }
    }
    log.action('checking crds');
    for (const crd of crdManifests()) {
      const name = crd.metadata.name;
      const wanted = crd.spec.versions.find((x) => x.storage)?.name ?? crd.spec.versions[0]!.name;
      const live = await kube.tryGet<CrdObject & KubeObject>({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name,
      });
      if (!live) {
        ok = false;
        log.failure(`${name} is not installed`);
        continue;
      }
      const established = live.status?.conditions?.find((c) => c.type === 'Established');
      const served = live.spec?.versions?.some((x) => x.name === wanted && x.served);
      if (established?.status !== 'True') {
        ok = false;
        log.failure(`${name} is not established${established?.message ? `: ${established.message}` : ''}`);
      } else if (!served) {
        ok = false;
        log.failure(`${name} does not serve ${wanted}`);
      } else log.success(`${name}/${wanted}`);
    }
    if (!ok) throw new SluiceError('CheckFailed', 'Check failed');
    log.success('all checks passed');
  } finally {
    kube.close();
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Registers `sluice check [--pre]`: cluster reachable and recent enough, CRDs installed and established. */
export function registerCheckCommand(program: Command, io: CliIO = processIO()): void {
  addClusterFlags(
    program
      .command('check')
      .description('Check the cluster: reachable, a supported Kubernetes version, Sluice CRDs established'),
  )
    .option('--pre', 'only check the prerequisites (the cluster and its version)', false)
    .option(
      '--controllers-health <url>',
      'a controllers health endpoint to check, e.g. http://host:9440/healthz (repeatable)',
      collect,
    )
    .action(async (flags: CheckFlags) => runCheck(flags, io));
}
