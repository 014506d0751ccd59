import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveTool } from '../../src/tools/index.js';

const exec = promisify(execFile);

/** A chart written by a test. */
export interface ChartSpec {
  name: string;
  version: string;
  /** Template files by name (under templates/). Default: a ConfigMap and a Deployment. */
  templates?: Record<string, string>;
  /** values.yaml text. */
  values?: string;
  /** values.schema.json text. */
  schema?: string;
  /** Files under crds/ by name. */
  crds?: Record<string, string>;
}

/** A ConfigMap with the values' `message`. */
export const CONFIGMAP_TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  message: {{ .Values.message | quote }}
`;

/** A Deployment whose failure the embedded cluster simulates with the `simulate` value. */
export const DEPLOYMENT_TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
  {{- with .Values.simulate }}
  annotations:
    sluice.dev/simulate-failure: {{ . }}
  {{- end }}
spec:
  replicas: {{ .Values.replicas | default 1 }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
      {{- with .Values.simulate }}
      annotations:
        sluice.dev/simulate-failure: {{ . }}
      {{- end }}
    spec:
      containers:
        - name: app
          image: {{ .Values.image | default "nginx:1.27" }}
`;

/** A test hook Job; `testFailure` in the values makes it fail. */
export const TEST_HOOK_TEMPLATE = `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
    {{- if .Values.testFailure }}
    sluice.dev/simulate-failure: JobFailed
    {{- end }}
spec:
  backoffLimit: 0
  template:
    metadata:
      {{- if .Values.testFailure }}
      annotations:
        sluice.dev/simulate-failure: JobFailed
      {{- end }}
    spec:
      restartPolicy: Never
      containers:
        - name: test
          image: busybox
`;

/** Writes a chart folder and packages it with the real helm into `outDir`; returns the `.tgz` path. */
export async function packageChart(workDir: string, outDir: string, spec: ChartSpec): Promise<string> {
  const helm = await resolveTool('helm', { skipPath: true });
  const src = join(workDir, 'src', `${spec.name}-${spec.version}`, spec.name);
  await mkdir(join(src, 'templates'), { recursive: true });
  await writeFile(
    join(src, 'Chart.yaml'),
    `apiVersion: v2\nname: ${spec.name}\nversion: ${spec.version}\nappVersion: "${spec.version}"\n`,
  );
  await writeFile(join(src, 'values.yaml'), spec.values ?? 'message: hello\n');
  if (spec.schema) await writeFile(join(src, 'values.schema.json'), spec.schema);
  const templates = spec.templates ?? {
    'configmap.yaml': CONFIGMAP_TEMPLATE,
    'deployment.yaml': DEPLOYMENT_TEMPLATE,
  };
  for (const [file, text] of Object.entries(templates)) await writeFile(join(src, 'templates', file), text);
  if (spec.crds) {
    await mkdir(join(src, 'crds'), { recursive: true });
    for (const [file, text] of Object.entries(spec.crds)) await writeFile(join(src, 'crds', file), text);
  }
  await mkdir(outDir, { recursive: true });
  await exec(helm, ['package', src, '-d', outDir], { env: helmEnv(workDir) });
  return join(outDir, `${spec.name}-${spec.version}.tgz`);
}

/** Regenerates a Helm repository's index.yaml with the real helm. */
export async function indexRepo(workDir: string, repoDir: string, url: string): Promise<void> {
  const helm = await resolveTool('helm', { skipPath: true });
  await exec(helm, ['repo', 'index', repoDir, '--url', url], { env: helmEnv(workDir) });
}

/** Runs the real helm against a kubeconfig, with private homes; returns stdout. */
export async function helmCli(workDir: string, kubeconfig: string, ...args: string[]): Promise<string> {
  const helm = await resolveTool('helm', { skipPath: true });
  const { stdout } = await exec(helm, [...args, '--kubeconfig', kubeconfig], { env: helmEnv(workDir) });
  return stdout;
}

function helmEnv(workDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELM_CACHE_HOME: join(workDir, 'helm-cli', 'cache'),
    HELM_CONFIG_HOME: join(workDir, 'helm-cli', 'config'),
    HELM_DATA_HOME: join(workDir, 'helm-cli', 'data'),
  };
}
