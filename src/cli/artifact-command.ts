import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify as stringifyYaml } from 'yaml';
import { InvalidSpecError } from '../api/index.js';
import {
  credentialsFromDockerConfig,
  OciClient,
  type OciClientOptions,
  pullArtifact,
  pushArtifact,
  SourceIgnore,
} from '../source/index.js';

interface RegistryFlags {
  creds?: string;
  insecureRegistry?: boolean;
  dockerConfig?: string;
  output?: string;
}

interface PushFlags extends RegistryFlags {
  path: string;
  source: string;
  revision: string;
  annotations: string[];
  ignorePaths?: string;
}

interface PullFlags extends RegistryFlags {
  output: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function clientFor(flags: RegistryFlags): Promise<OciClient> {
  const options: OciClientOptions = {};
  if (flags.insecureRegistry) options.insecure = true;
  if (flags.creds) {
    const i = flags.creds.indexOf(':');
    const creds =
      i < 0
        ? { username: '', password: flags.creds }
        : { username: flags.creds.slice(0, i), password: flags.creds.slice(i + 1) };
    options.credentials = () => creds;
  } else if (flags.dockerConfig) {
    options.credentials = credentialsFromDockerConfig(await readFile(flags.dockerConfig, 'utf8'));
  }
  return new OciClient({}, options);
}

function parseAnnotations(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    const i = a.indexOf('=');
    if (i <= 0) throw new InvalidSpecError(`Annotation '${a}' is invalid: use key=value`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

/**
 * Registers `sluice push artifact` and `sluice pull artifact`, which publish and fetch Flux OCI artifacts
 * (a tar.gz layer with source and revision annotations) over the OCI distribution API, as `flux push
 * artifact` and `flux pull artifact` do.
 */
export function registerArtifactCommands(program: Command): void {
  const push = program.command('push').description('Push artifacts to an OCI registry');
  push
    .command('artifact <url>')
    .description('Package a directory as a Flux OCI artifact and push it: oci://REGISTRY/REPO:TAG')
    .requiredOption('--path <dir>', 'directory (or file) to package')
    .requiredOption('--source <url>', 'source address, e.g. the Git URL (org.opencontainers.image.source)')
    .requiredOption(
      '--revision <rev>',
      'source revision, e.g. main@sha1:<hex> (org.opencontainers.image.revision)',
    )
    .option('-a, --annotations <key=value>', 'extra manifest annotation (repeatable)', collect, [])
    .option('--ignore-paths <patterns>', 'comma-separated .sourceignore patterns to leave out')
    .option('--creds <user:password>', 'registry credentials')
    .option('--docker-config <file>', 'docker config JSON with registry credentials')
    .option('--insecure-registry', 'speak plain HTTP to the registry', false)
    .option('-o, --output <format>', 'print the result as json or yaml')
    .action(async (url: string, flags: PushFlags) => {
      const client = await clientFor(flags);
      const ignore = SourceIgnore.defaults();
      if (flags.ignorePaths) ignore.add(flags.ignorePaths.split(',').join('\n'));
      process.stderr.write(`► pushing artifact to ${url.replace(/^oci:\/\//, '')}\n`);
      const result = await pushArtifact(
        { client },
        {
          url,
          dir: resolve(flags.path),
          source: flags.source,
          revision: flags.revision,
          annotations: parseAnnotations(flags.annotations),
          filter: ignore.toFilter(),
        },
      );
      const summary = {
        repository: url.replace(/^oci:\/\//, '').replace(/[:@][^/]*$/, ''),
        tag: result.revision.split('@')[0],
        digest: result.digest,
        url: `oci://${result.reference}`,
      };
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else if (flags.output === 'yaml') process.stdout.write(stringifyYaml(summary));
      else process.stdout.write(`✔ artifact successfully pushed to ${result.reference}\n`);
    });

  const pull = program.command('pull').description('Pull artifacts from an OCI registry');
  pull
    .command('artifact <url>')
    .description('Pull a Flux OCI artifact and extract it: oci://REGISTRY/REPO[:TAG|@DIGEST]')
    .requiredOption('-o, --output <dir>', 'directory to extract the artifact into')
    .option('--creds <user:password>', 'registry credentials')
    .option('--docker-config <file>', 'docker config JSON with registry credentials')
    .option('--insecure-registry', 'speak plain HTTP to the registry', false)
    .action(async (url: string, flags: PullFlags) => {
      const client = await clientFor(flags);
      process.stderr.write(`► pulling artifact from ${url.replace(/^oci:\/\//, '')}\n`);
      const result = await pullArtifact({ client }, { url, outDir: resolve(flags.output) });
      const source = result.annotations['org.opencontainers.image.source'];
      const revision = result.annotations['org.opencontainers.image.revision'];
      if (source) process.stdout.write(`✔ source ${source}\n`);
      if (revision) process.stdout.write(`✔ revision ${revision}\n`);
      process.stdout.write(`✔ digest ${result.digest}\n`);
      process.stdout.write(`✔ artifact content extracted to ${resolve(flags.output)}\n`);
    });
}
