import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../tools/index.js';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregatedDiscovery,
} from '../discovery/index.js';
import { createRegistry } from '../registry/index.js';
import { openapiDocumentBody, openapiRoot } from './index.js';

const run = promisify(execFile);

// A minimal HTTP front for the documents: the real kubectl reads discovery and OpenAPI v3 through it.
describe('kubectl explain against the OpenAPI v3 documents', () => {
  const reg = createRegistry();
  reg.installCRD({
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A widget.',
              properties: {
                spec: {
                  type: 'object',
                  properties: { size: { type: 'integer', description: 'How big the widget is.' } },
                },
              },
            },
          },
        },
      ],
    },
  });
  let server: Server;
  let dir: string;
  let kubectl: string;
  let kubeconfig: string;

  beforeAll(async () => {
    kubectl = await resolveTool('kubectl', { skipPath: true });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (body: unknown, type = 'application/json'): void => {
        if (body === undefined) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        res
          .writeHead(200, { 'content-type': type })
          .end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const aggregated = wantsAggregatedDiscovery(req.headers.accept);
      const p = url.pathname;
      if (p === '/api')
        send(
          aggregated ? aggregatedDiscovery(reg, 'api') : apiVersions(),
          aggregated ? AGGREGATED_DISCOVERY_CONTENT_TYPE : undefined,
        );
      else if (p === '/apis')
        send(
          aggregated ? aggregatedDiscovery(reg, 'apis') : apiGroupList(reg),
          aggregated ? AGGREGATED_DISCOVERY_CONTENT_TYPE : undefined,
        );
      else if (p === '/api/v1') send(apiResourceList(reg, '', 'v1'));
      else if (p.startsWith('/apis/') && p.split('/').length === 4)
        send(apiResourceList(reg, p.split('/')[2]!, p.split('/')[3]!));
      else if (p === '/openapi/v3') send(openapiRoot(reg));
      else if (p.startsWith('/openapi/v3/')) send(openapiDocumentBody(reg, p)?.json);
      else if (p === '/version') send({ major: '1', minor: '35', gitVersion: 'v1.35.0' });
      else send(undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'sluice-explain-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}" } }]
users: [{ name: u, user: {} }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
current-context: c
`,
    );
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const explain = async (what: string): Promise<string> => {
    const { stdout } = await run(kubectl, [
      'explain',
      what,
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      join(dir, 'cache'),
    ]);
    return stdout;
  };

  it('explains a built-in field path', async () => {
    const out = await explain('deployment.spec.template');
    expect(out).toContain('GROUP:      apps');
    expect(out).toContain('KIND:       Deployment');
    expect(out).toMatch(/FIELD: +template <PodTemplateSpec>/);
    expect(out).toMatch(/spec\s+<PodSpec>/);
  });

  it('describes built-in types and fields with their upstream documentation', async () => {
    const out = await explain('deployment.spec.replicas');
    expect(out).toMatch(/FIELD: +replicas <integer>/);
    expect(out).toContain('Number of desired pods.');
    const kind = (await explain('deployment.spec')).replace(/\s+/g, ' ');
    expect(kind).toContain('DeploymentSpec is the specification of the desired behavior of the Deployment.');
    expect(kind).toMatch(/paused\s+<boolean>\s+Indicates that the deployment is paused\./);
    const limits = (await explain('pod.spec.containers.resources.limits')).replace(/\s+/g, ' ');
    expect(limits).toContain('Limits describes the maximum amount of compute resources allowed.');
  });

  it('explains a custom resource from its CRD schema', async () => {
    const out = await explain('widgets.spec.size');
    expect(out).toContain('KIND:       Widget');
    expect(out).toContain('How big the widget is.');
  });
});
