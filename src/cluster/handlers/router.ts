import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import YAML from 'yaml';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregatedDiscovery,
} from '../discovery/index.js';
import {
  type ApiHandler,
  type ApiRequest,
  badRequest,
  invalid,
  methodNotAllowed,
  notAcceptable,
  pathNotFound,
  sendJson,
  statusObject,
  unsupportedMediaType,
} from '../http/index.js';
import { openapiDocumentBody, openapiRoot } from '../openapi/index.js';
import type { ResourceType } from '../registry/index.js';
import type { KubeObject } from '../storage/index.js';
import { RevisionExpiredError } from '../storage/index.js';
import { toTable, wantsTable } from '../tables/index.js';
import { findDuplicateFields } from './duplicates.js';
import {
  apiVersionOf,
  type DeleteOptions,
  type FieldValidation,
  type ObjectService,
  type WriteOptions,
  type WriteResult,
} from './objects.js';
import { decodeProtobuf, PROTOBUF_MEDIA_TYPE } from './protobuf.js';
import { parseFieldSelector, parseLabelSelector, type Selector } from './selectors.js';

/** Options of {@link createApiHandler}. */
export interface ApiHandlerOptions {
  service: ObjectService;
  /** How often watches with `allowWatchBookmarks` get a BOOKMARK. Default: 60 s. */
  bookmarkIntervalMs?: number;
  /** `host:port` reported by `/api`. */
  serverAddress?: string;
  logger?: Logger;
}

/** The `/version` document: the Kubernetes version this server speaks. */
export const VERSION_INFO = {
  major: '1',
  minor: '35',
  emulationMajor: '1',
  emulationMinor: '35',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '34',
  gitVersion: 'v1.35.0-sluice',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.25.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const NO_CONTAINERS = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);
const HEALTH = /^\/(healthz|livez|readyz)(\/.*)?$/;

interface Target {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid path segment ${segment}`);
  }
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

type Format = 'json' | 'yaml' | 'table' | 'meta';

/** The metadata-only view of an object (`as=PartialObjectMetadata`). */
function partialMetadata(object: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function negotiate(
  accept: string | undefined,
  allowTable: boolean,
): { format: Format; tableVersion?: string } {
  if (allowTable) {
    const table = wantsTable(accept);
    if (table) return { format: 'table', tableVersion: table };
  }
  if (!accept) return { format: 'json' };
  for (const part of accept.split(',')) {
    const media = mediaType(part);
    if (media.includes('as=')) continue;
    if (
      allowTable &&
      /;\s*as=PartialObjectMetadata(List)?\b/.test(part) &&
      /;\s*g=meta\.k8s\.io\b/.test(part)
    ) {
      if (media === 'application/json') return { format: 'meta' };
      continue;
    }
    if (part.includes('as=') && !part.includes('as=Table')) continue;
    if (media === 'application/json' || media === '*/*' || media === 'application/*' || media === '') {
      return { format: 'json' };
    }
    if (media === 'application/yaml') return { format: 'yaml' };
  }
  // A client that accepts only protobuf or CBOR cannot be served.
  throw notAcceptable(accept);
}

function decodeBody(req: ApiRequest, kind: 'object' | 'patch'): unknown {
  const type = mediaType(req.headers['content-type']);
  if (type === PROTOBUF_MEDIA_TYPE && kind === 'object') return decodeProtobuf(req.body);
  const text = req.body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty: an object is required');
  const yaml =
    type === 'application/yaml' ||
    type === 'application/x-yaml' ||
    type === 'text/yaml' ||
    type === 'application/apply-patch+yaml';
  if (!yaml && type !== '' && type !== 'application/json' && kind === 'object') {
    throw unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${type})`,
    );
  }
  try {
    if (yaml) {
      const docs = YAML.parseAllDocuments(text);
      if (docs.length !== 1) throw new Error('exactly one YAML document is required');
      if (docs[0]!.errors.length > 0) throw docs[0]!.errors[0]!;
      return docs[0]!.toJSON();
    }
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw badRequest(`the request body could not be decoded as ${yaml ? 'YAML' : 'JSON'}: ${message}`);
  }
}

function writeOptions(req: ApiRequest, subresource?: string): WriteOptions & { force?: boolean } {
  const dryRun = req.query.getAll('dryRun');
  for (const value of dryRun) {
    if (value !== 'All')
      throw badRequest(`unsupported dry run value: ${value}; the only supported value is All`);
  }
  const fv = req.query.get('fieldValidation');
  let fieldValidation: FieldValidation | undefined;
  if (fv) {
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      throw badRequest(`fieldValidation must be one of Ignore, Warn or Strict (got ${fv})`);
    }
    fieldValidation = fv;
  }
  const force = req.query.get('force');
  if (force !== null && force !== 'true' && force !== 'false')
    throw badRequest(`invalid force value ${force}`);
  let duplicateFields: string[] | undefined;
  const type = mediaType(req.headers['content-type']);
  const jsonTypes = [
    '',
    'application/json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ];
  if (fieldValidation !== 'Ignore' && req.body.length > 0 && jsonTypes.includes(type)) {
    try {
      duplicateFields = findDuplicateFields(req.body.toString('utf8'));
    } catch {
      duplicateFields = undefined;
    }
  }
  return {
    duplicateFields,
    dryRun: dryRun.length > 0,
    fieldValidation,
    fieldManager: req.query.get('fieldManager') ?? undefined,
    userAgent: req.headers['user-agent'],
    subresource,
    force: force === null ? undefined : force === 'true',
  };
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

function parseLimit(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${value}`);
  return n || undefined;
}

/**
 * Creates the request handler of the embedded cluster: health, `/version`, discovery, OpenAPI, and the REST
 * API of every registered resource (CRUD, patches, watches, tables, subresources).
 */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const { service } = options;
  const registry = service.registry;
  const bookmarkInterval = options.bookmarkIntervalMs ?? 60_000;

  const send = (
    req: ApiRequest,
    res: ServerResponse,
    code: number,
    body: unknown,
    warnings: string[] = [],
  ) => {
    const { format } = negotiate(req.headers.accept, false);
    if (format === 'yaml') {
      const text = YAML.stringify(body);
      res.writeHead(code, { 'Content-Type': 'application/yaml', ...warningHeaders(warnings) });
      res.end(text);
      return;
    }
    sendJson(res, code, body, warningHeaders(warnings));
  };

  const sendObjects = (
    req: ApiRequest,
    res: ServerResponse,
    target: Target,
    body: KubeObject,
    objects: KubeObject[] | undefined,
  ) => {
    const { format, tableVersion } = negotiate(req.headers.accept, true);
    if (format === 'meta') {
      if (objects) {
        sendJson(res, 200, {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: body.metadata,
          items: objects.map(partialMetadata),
        });
      } else sendJson(res, 200, partialMetadata(body));
      return;
    }
    if (format === 'table') {
      const include = req.query.get('includeObject') as 'None' | 'Metadata' | 'Object' | null;
      const table = toTable(target.rt, objects ?? [body], {
        includeObject: include ?? 'Metadata',
        resourceVersion: body.metadata?.resourceVersion,
        continue: body.metadata?.continue,
        apiVersion: tableVersion as 'meta.k8s.io/v1',
      });
      sendJson(res, 200, table);
      return;
    }
    send(req, res, 200, body);
  };

  const resolve = (
    prefix: 'api' | 'apis',
    segments: string[],
  ): { target?: Target; group: string; version: string } => {
    let group = '';
    let rest: string[];
    let version: string;
    if (prefix === 'api') {
      version = segments[0]!;
      rest = segments.slice(1);
    } else {
      group = segments[0]!;
      version = segments[1]!;
      rest = segments.slice(2);
    }
    if (rest.length === 0) return { group, version };
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const candidate = registry.lookup(group, version, rest[2]!);
      if (candidate?.namespaced) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    const rt = registry.lookup(group, version, rest[0]!);
    if (!rt || rest.length > 3) throw pathNotFound();
    if (namespace === undefined && rt.namespaced && rest.length > 1) throw pathNotFound();
    return { target: { rt, namespace, name: rest[1], subresource: rest[2] }, group, version };
  };

  const handleResource = async (req: ApiRequest, res: ServerResponse, target: Target, watchPath: boolean) => {
    const { rt, namespace, name, subresource } = target;
    const method = req.method;
    if (subresource && NO_CONTAINERS.has(subresource)) {
      throw badRequest(
        `${rt.kind} ${namespace ? `${namespace}/` : ''}${name}: ${subresource} is not available: the embedded cluster runs no containers`,
      );
    }
    if (subresource && !['status', 'scale', 'finalize'].includes(subresource)) throw pathNotFound();
    if (subresource === 'status' && !rt.subresources.status) throw pathNotFound();
    if (subresource === 'scale' && !rt.subresources.scale) throw pathNotFound();
    if (subresource === 'finalize' && !(rt.group === '' && rt.kind === 'Namespace')) throw pathNotFound();

    const watching = watchPath || req.query.get('watch') === 'true' || req.query.get('watch') === '1';
    if (name === undefined) {
      // Collection.
      switch (method) {
        case 'GET': {
          const labelSelector = parseLabelSelector(req.query.get('labelSelector'));
          const fieldSelector = parseFieldSelector(req.query.get('fieldSelector'), rt.group, rt.kind);
          if (watching) return serveWatch(req, res, target, labelSelector, fieldSelector);
          if (req.query.get('sendInitialEvents') !== null) {
            throw invalid(rt.kind, rt.group, '', [
              {
                reason: 'FieldValueForbidden',
                message: 'Forbidden: sendInitialEvents is only supported by watch requests',
                field: 'sendInitialEvents',
              },
            ]);
          }
          let exactRevision: number | undefined;
          if (req.query.get('resourceVersionMatch') === 'Exact') {
            exactRevision = Number(req.query.get('resourceVersion'));
            if (!Number.isInteger(exactRevision) || exactRevision <= 0) {
              throw badRequest('resourceVersionMatch=Exact requires a resourceVersion greater than 0');
            }
            if (exactRevision > service.store.currentRevision) {
              throw badRequest(`resourceVersion ${exactRevision} is newer than the current one`);
            }
          }
          const list = service.list(rt, namespace, {
            labelSelector,
            fieldSelector,
            limit: parseLimit(req.query.get('limit')),
            continue: req.query.get('continue') ?? undefined,
            exactRevision,
          });
          const metadata: KubeObject = { resourceVersion: list.resourceVersion };
          if (list.continue) metadata.continue = list.continue;
          const body = { kind: rt.listKind, apiVersion: apiVersionOf(rt), metadata, items: list.items };
          return sendObjects(req, res, target, body, list.items);
        }
        case 'POST': {
          if (rt.namespaced && namespace === undefined)
            throw methodNotAllowed('POST', `${rt.plural} across all namespaces`);
          const result = service.create(rt, namespace, decodeBody(req, 'object'), writeOptions(req));
          return send(req, res, 201, result.object, result.warnings);
        }
        case 'DELETE': {
          if (!rt.verbs.includes('deletecollection'))
            throw methodNotAllowed('DELETE', `the collection of ${rt.plural}`);
          const list = service.deleteCollection(
            rt,
            namespace,
            {
              labelSelector: parseLabelSelector(req.query.get('labelSelector')),
              fieldSelector: parseFieldSelector(req.query.get('fieldSelector'), rt.group, rt.kind),
            },
            deleteOptions(req),
            writeOptions(req),
          );
          return send(req, res, 200, {
            kind: rt.listKind,
            apiVersion: apiVersionOf(rt),
            metadata: { resourceVersion: list.resourceVersion },
            items: list.items,
          });
        }
        default:
          throw methodNotAllowed(method, `the collection of ${rt.plural}`);
      }
    }
    if (watching && method === 'GET') {
      const fieldSelector = parseFieldSelector(`metadata.name=${name}`, rt.group, rt.kind);
      return serveWatch(req, res, target, parseLabelSelector(req.query.get('labelSelector')), fieldSelector);
    }
    const opts = () => writeOptions(req, subresource);
    let result: WriteResult;
    switch (method) {
      case 'GET':
        if (subresource === 'scale') return send(req, res, 200, service.getScale(rt, namespace, name));
        return sendObjects(req, res, target, service.get(rt, namespace, name), undefined);
      case 'PUT':
        if (subresource === 'scale')
          result = service.updateScale(rt, namespace, name, decodeBody(req, 'object'), opts());
        else result = service.update(rt, namespace, name, decodeBody(req, 'object'), opts());
        return send(req, res, 200, result.object, result.warnings);
      case 'PATCH': {
        if (subresource === 'finalize') throw methodNotAllowed('PATCH', 'the finalize subresource');
        const contentType = req.headers['content-type'] ?? '';
        result = service.patch(rt, namespace, name, contentType, decodeBody(req, 'patch'), opts());
        return send(req, res, result.created ? 201 : 200, result.object, result.warnings);
      }
      case 'DELETE':
        if (subresource) throw methodNotAllowed('DELETE', `the ${subresource} subresource`);
        result = service.delete(rt, namespace, name, deleteOptions(req), opts());
        return send(req, res, 200, result.object, result.warnings);
      default:
        throw methodNotAllowed(method, `${rt.plural} "${name}"`);
    }
  };

  const deleteOptions = (req: ApiRequest): DeleteOptions => {
    let body: DeleteOptions = {};
    if (req.body.length > 0 && req.body.toString('latin1').trim() !== '') {
      const decoded = decodeBody(req, 'object');
      if (typeof decoded !== 'object' || decoded === null)
        throw badRequest('DeleteOptions must be an object');
      body = decoded as DeleteOptions;
    }
    const policy = req.query.get('propagationPolicy') ?? body.propagationPolicy;
    if (policy !== undefined && policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
      throw badRequest(`propagationPolicy must be one of Foreground, Background or Orphan (got ${policy})`);
    }
    const orphan = req.query.get('orphanDependents');
    return {
      ...body,
      propagationPolicy: policy,
      orphanDependents: orphan === null ? body.orphanDependents : orphan === 'true',
    };
  };

  const serveWatch = (
    req: ApiRequest,
    res: ServerResponse,
    target: Target,
    labelSelector: Selector | undefined,
    fieldSelector: Selector | undefined,
  ) => {
    const { rt, namespace } = target;
    const store = service.store;
    const { format, tableVersion } = negotiate(req.headers.accept, true);
    const q = req.query;
    const sendInitialEvents = q.get('sendInitialEvents') === 'true';
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const rvParam = q.get('resourceVersion') ?? '';
    if (q.get('sendInitialEvents') !== null) {
      const causes = [];
      if (q.get('resourceVersionMatch') !== 'NotOlderThan') {
        causes.push({
          reason: 'FieldValueForbidden',
          message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
          field: 'resourceVersionMatch',
        });
      }
      if (sendInitialEvents && !bookmarks) {
        causes.push({
          reason: 'FieldValueForbidden',
          message: 'Forbidden: sendInitialEvents requires allowWatchBookmarks=true',
          field: 'allowWatchBookmarks',
        });
      }
      if (causes.length > 0) throw invalid(rt.kind, rt.group, '', causes);
    }
    let from: number | undefined;
    if (rvParam !== '' && rvParam !== '0') {
      from = Number(rvParam);
      if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resource version: ${rvParam}`);
    }
    const timeoutParam = q.get('timeoutSeconds');
    const timeoutMs = timeoutParam ? Number(timeoutParam) * 1000 : (1800 + Math.random() * 1800) * 1000;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
      throw badRequest(`invalid timeoutSeconds: ${timeoutParam}`);

    const matches = (stored: KubeObject | undefined) => {
      if (stored === undefined) return false;
      if (!labelSelector && !fieldSelector) return true;
      const o = service.present(rt, stored);
      return (!labelSelector || labelSelector(o)) && (!fieldSelector || fieldSelector(o));
    };
    const prefix = service.prefix(rt, namespace);
    const include = (q.get('includeObject') as 'None' | 'Metadata' | 'Object' | null) ?? 'Metadata';
    const encode = (type: string, object: KubeObject) => {
      let body: unknown = service.present(rt, object);
      if (format === 'meta' && type !== 'BOOKMARK' && type !== 'ERROR')
        body = partialMetadata(body as KubeObject);
      if (format === 'table' && type !== 'BOOKMARK' && type !== 'ERROR') {
        body = toTable(rt, [body as KubeObject], {
          includeObject: include,
          resourceVersion: object.metadata?.resourceVersion,
          apiVersion: tableVersion as 'meta.k8s.io/v1',
        });
      }
      return `${JSON.stringify({ type, object: body })}\n`;
    };
    // A watcher that stops reading is dropped rather than buffered without bound; clients re-watch.
    const MAX_BUFFERED = 16 * 1024 * 1024;

    res.writeHead(200, {
      'Content-Type': format === 'yaml' ? 'application/json' : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();

    let stop: (() => void) | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      stop?.();
      stop = undefined;
      for (const t of timers) clearTimeout(t);
      if (!res.writableEnded) res.end();
    };
    req.signal.addEventListener('abort', finish, { once: true });
    timers.push(setTimeout(finish, timeoutMs));

    const bookmark = (revision: number, initialEnd = false) => {
      const metadata: KubeObject = { resourceVersion: String(revision) };
      if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind: rt.kind, apiVersion: apiVersionOf(rt), metadata } })}\n`,
      );
    };

    if (from === undefined) {
      // Start with the current state as synthetic ADDED events.
      const list = store.list(prefix, { filter: matches });
      for (const item of list.items) res.write(encode('ADDED', item.object));
      from = list.revision;
      if (sendInitialEvents) bookmark(from, true);
    } else if (sendInitialEvents) {
      const list = store.list(prefix, { filter: matches });
      for (const item of list.items) res.write(encode('ADDED', item.object));
      from = Math.max(from, list.revision);
      bookmark(from, true);
    }
    if (from > store.currentRevision) from = store.currentRevision;

    try {
      stop = store.watch(prefix, from, (event) => {
        if (res.writableEnded) return;
        if (res.writableLength > MAX_BUFFERED) {
          finish();
          return;
        }
        const now = matches(event.object);
        if (event.type === 'ADDED') {
          if (now) res.write(encode('ADDED', event.object));
        } else if (event.type === 'DELETED') {
          if (now || matches(event.prevObject)) res.write(encode('DELETED', event.object));
        } else {
          const before = event.prevObject === undefined ? now : matches(event.prevObject);
          if (now && before) res.write(encode('MODIFIED', event.object));
          else if (now) res.write(encode('ADDED', event.object));
          else if (before) res.write(encode('DELETED', event.object));
        }
      });
    } catch (err) {
      if (err instanceof RevisionExpiredError) {
        const status = statusObject(
          410,
          'Expired',
          `too old resource version: ${from} (${err.compactRevision + 1})`,
        );
        res.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
        finish();
        return;
      }
      throw err;
    }
    if (bookmarks && format !== 'table') {
      const tick = () => {
        if (res.writableEnded) return;
        // Committed only: every event up to it has been written to this stream (or is filtered out).
        bookmark(store.committedRevision);
        timers.push(setTimeout(tick, bookmarkInterval));
      };
      timers.push(setTimeout(tick, bookmarkInterval));
    }
  };

  return async (req, res) => {
    const path = req.path.replace(/\/+$/, '') || '/';
    if (HEALTH.test(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method, path);
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end('ok');
      return;
    }
    if (path === '/version') return sendJson(res, 200, VERSION_INFO);
    if (path === '/openapi/v2') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    if (path === '/openapi/v3') return sendJson(res, 200, openapiRoot(registry));
    if (path.startsWith('/openapi/v3/')) {
      const body = openapiDocumentBody(registry, path.slice('/openapi/v3/'.length));
      if (!body) throw pathNotFound();
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body.json),
        Etag: `"${body.hash}"`,
        'Cache-Control': req.query.get('hash') ? 'public, immutable' : 'no-cache, private',
      });
      res.end(body.json);
      return;
    }
    if (path === '/api' || path === '/apis') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method, path);
      const which = path === '/api' ? 'api' : 'apis';
      if (wantsAggregatedDiscovery(req.headers.accept)) {
        const text = JSON.stringify(aggregatedDiscovery(registry, which));
        res.writeHead(200, {
          'Content-Type': AGGREGATED_DISCOVERY_CONTENT_TYPE,
          'Content-Length': Buffer.byteLength(text),
          Vary: 'Accept',
          Etag: `"${registry.generation}"`,
        });
        res.end(text);
        return;
      }
      return sendJson(
        res,
        200,
        which === 'api' ? apiVersions({ serverAddress: options.serverAddress }) : apiGroupList(registry),
        { Vary: 'Accept' },
      );
    }
    const segments = path.split('/').slice(1).map(decodeSegment);
    const root = segments[0];
    if (root !== 'api' && root !== 'apis') throw pathNotFound();
    let rest = segments.slice(1);
    if (root === 'api' && rest[0] !== 'v1') throw pathNotFound();
    if (root === 'apis' && rest.length === 1) {
      const doc = apiGroup(registry, rest[0]!);
      if (!doc) throw pathNotFound();
      return sendJson(res, 200, doc);
    }
    const headLength = root === 'api' ? 1 : 2;
    let watchPath = false;
    if (rest[headLength] === 'watch') {
      watchPath = true;
      rest = [...rest.slice(0, headLength), ...rest.slice(headLength + 1)];
    }
    const { target, group, version } = resolve(root, rest);
    if (!target) {
      const doc = apiResourceList(registry, group, version);
      if (!doc) throw pathNotFound();
      return sendJson(res, 200, doc);
    }
    await handleResource(req, res, target, watchPath);
  };
}
