import { createHash } from 'node:crypto';
import {
  builtinDescriptions,
  builtinSchemas,
  type JSONSchemaProps,
  type TypeDescription,
} from '../../schema/index.js';
import { cachedPerGeneration, type ResourceRegistry, type ResourceType } from '../registry/index.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const REF = '#/components/schemas/';

/** Schemas every group-version document refers to, used when src/schema does not provide them. */
const META_SCHEMAS: Record<string, JSONSchemaProps> = {
  [`${META}.ListMeta`]: {
    type: 'object',
    description:
      'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
    properties: {
      continue: { type: 'string' },
      remainingItemCount: { type: 'integer', format: 'int64' },
      resourceVersion: { type: 'string' },
      selfLink: { type: 'string' },
    },
  },
  [`${META}.Patch`]: {
    type: 'object',
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  },
  [`${META}.Preconditions`]: {
    type: 'object',
    description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
    properties: { resourceVersion: { type: 'string' }, uid: { type: 'string' } },
  },
  [`${META}.DeleteOptions`]: {
    type: 'object',
    description: 'DeleteOptions may be provided when deleting an API object.',
    properties: {
      apiVersion: { type: 'string' },
      dryRun: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
      gracePeriodSeconds: { type: 'integer', format: 'int64' },
      ignoreStoreReadErrorWithClusterBreakingPotential: { type: 'boolean' },
      kind: { type: 'string' },
      orphanDependents: { type: 'boolean' },
      preconditions: { $ref: `${REF}${META}.Preconditions` },
      propagationPolicy: { type: 'string' },
    },
  },
  [`${META}.StatusCause`]: {
    type: 'object',
    properties: { field: { type: 'string' }, message: { type: 'string' }, reason: { type: 'string' } },
  },
  [`${META}.StatusDetails`]: {
    type: 'object',
    properties: {
      causes: {
        type: 'array',
        items: { $ref: `${REF}${META}.StatusCause` },
        'x-kubernetes-list-type': 'atomic',
      },
      group: { type: 'string' },
      kind: { type: 'string' },
      name: { type: 'string' },
      retryAfterSeconds: { type: 'integer', format: 'int32' },
      uid: { type: 'string' },
    },
  },
  [`${META}.Status`]: {
    type: 'object',
    description: 'Status is a return value for calls that do not return other objects.',
    properties: {
      apiVersion: { type: 'string' },
      code: { type: 'integer', format: 'int32' },
      details: { $ref: `${REF}${META}.StatusDetails` },
      kind: { type: 'string' },
      message: { type: 'string' },
      metadata: { $ref: `${REF}${META}.ListMeta` },
      reason: { type: 'string' },
      status: { type: 'string' },
    },
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
  },
};

/** A copy of a built-in schema with the documentation of the type and its fields. */
function described(schema: JSONSchemaProps, doc: TypeDescription | undefined): JSONSchemaProps {
  if (!doc) return schema;
  const out: JSONSchemaProps = { ...schema };
  if (doc.description && !out.description) out.description = doc.description;
  if (schema.properties) {
    const properties: Record<string, JSONSchemaProps> = {};
    for (const [name, prop] of Object.entries(schema.properties)) {
      const text = doc.fields[name];
      if (!text || prop.description) properties[name] = prop;
      else if (prop.$ref) {
        // As the API server writes it: a sibling of `$ref` would be ignored, one of `allOf` is not.
        const { $ref, ...rest } = prop;
        properties[name] = { allOf: [{ $ref }], ...rest, description: text };
      } else properties[name] = { ...prop, description: text };
    }
    out.properties = properties;
  }
  return out;
}

function allSchemas(): Record<string, JSONSchemaProps> {
  const docs = builtinDescriptions();
  const builtins = Object.fromEntries(
    Object.entries(builtinSchemas()).map(([name, schema]) => [name, described(schema, docs[name])]),
  );
  return { ...META_SCHEMAS, ...builtins };
}

let baseSchemas: Record<string, JSONSchemaProps> | undefined;

function schemasBase(): Record<string, JSONSchemaProps> {
  baseSchemas ??= allSchemas();
  return baseSchemas;
}

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** `example.com` → `com.example`: the package part of a custom resource's schema name. */
function reverseGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

/** The `components.schemas` name of a resource's kind, as the API server names it. */
export function schemaNameOf(rt: ResourceType): string {
  if (rt.schemaName) return rt.schemaName;
  return `${reverseGroup(rt.group)}.${rt.version}.${rt.kind}`;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `apps` → `Apps`, `networking.k8s.io` → `NetworkingV1`-style operation id prefixes. */
function opPrefix(group: string, version: string): string {
  const g =
    group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\.authorization$/, 'Authorization');
  const parts = g.split(/[.-]/).map(upperFirst).join('');
  return `${parts}${upperFirst(version)}`;
}

function queryParam(name: string, description: string, type = 'string'): object {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const PARAM = {
  pretty: queryParam('pretty', "If 'true', then the output is pretty printed."),
  dryRun: queryParam(
    'dryRun',
    'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: queryParam(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  fieldValidation: queryParam(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
  ),
  force: queryParam(
    'force',
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.',
    'boolean',
  ),
  labelSelector: queryParam(
    'labelSelector',
    'A selector to restrict the list of returned objects by their labels.',
  ),
  fieldSelector: queryParam(
    'fieldSelector',
    'A selector to restrict the list of returned objects by their fields.',
  ),
  limit: queryParam('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  continue: queryParam(
    'continue',
    'The continue option should be set when retrieving more results from the server.',
  ),
  resourceVersion: queryParam(
    'resourceVersion',
    'resourceVersion sets a constraint on what resource versions a request may be served from.',
  ),
  resourceVersionMatch: queryParam(
    'resourceVersionMatch',
    'resourceVersionMatch determines how resourceVersion is applied to list calls.',
  ),
  sendInitialEvents: queryParam(
    'sendInitialEvents',
    '`sendInitialEvents=true` may be set together with `watch=true`.',
    'boolean',
  ),
  timeoutSeconds: queryParam('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: queryParam(
    'watch',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
    'boolean',
  ),
  allowWatchBookmarks: queryParam(
    'allowWatchBookmarks',
    'allowWatchBookmarks requests watch events with type "BOOKMARK".',
    'boolean',
  ),
  gracePeriodSeconds: queryParam(
    'gracePeriodSeconds',
    'The duration in seconds before the object should be deleted.',
    'integer',
  ),
  propagationPolicy: queryParam('propagationPolicy', 'Whether and how garbage collection will be performed.'),
  name: (kind: string) => ({
    name: 'name',
    in: 'path',
    description: `name of the ${kind}`,
    required: true,
    schema: { type: 'string', uniqueItems: true },
  }),
  namespace: {
    name: 'namespace',
    in: 'path',
    description: 'object name and auth scope, such as for teams and projects',
    required: true,
    schema: { type: 'string', uniqueItems: true },
  },
};

const LIST_PARAMS = [
  PARAM.allowWatchBookmarks,
  PARAM.continue,
  PARAM.fieldSelector,
  PARAM.labelSelector,
  PARAM.limit,
  PARAM.resourceVersion,
  PARAM.resourceVersionMatch,
  PARAM.sendInitialEvents,
  PARAM.timeoutSeconds,
  PARAM.watch,
];

function content(ref: string, types = ['application/json', 'application/yaml']): object {
  return Object.fromEntries(types.map((t) => [t, { schema: { $ref: `${REF}${ref}` } }]));
}

function response(ref: string, codes: string[]): object {
  const out: Record<string, object> = {};
  for (const code of codes) {
    out[code] = {
      description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK',
      content: content(ref),
    };
  }
  out['401'] = { description: 'Unauthorized' };
  return out;
}

function patchTypes(rt: ResourceType): string[] {
  const types = ['application/json-patch+json', 'application/merge-patch+json'];
  if (!rt.crd) types.push('application/strategic-merge-patch+json');
  types.push('application/apply-patch+yaml', 'application/apply-patch+cbor');
  return types;
}

/** The path items of one resource: collection, item, and status subresource. */
function resourcePaths(rt: ResourceType, paths: Record<string, object>): void {
  const prefix = rt.group === '' ? `/api/${rt.version}` : `/apis/${rt.group}/${rt.version}`;
  const kindSchema = schemaNameOf(rt);
  const listSchema = `${kindSchema}List`;
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const tag = `${rt.group === '' ? 'core' : rt.group.replace(/\./g, '_')}_${rt.version}`;
  const prefixId = opPrefix(rt.group, rt.version);
  const scope = rt.namespaced ? 'Namespaced' : '';
  const op = (action: string, verb: string, extra: object): object => ({
    tags: [tag],
    operationId: `${verb}${prefixId}${scope}${extra && 'idSuffix' in extra ? String(extra.idSuffix) : rt.kind}`,
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'idSuffix')),
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const writeParams = [PARAM.dryRun, PARAM.fieldManager, PARAM.fieldValidation];
  const body = (required = true) => ({ content: content(kindSchema, ['*/*']), required });
  const patchBody = {
    content: Object.fromEntries(patchTypes(rt).map((t) => [t, { schema: { $ref: `${REF}${META}.Patch` } }])),
    required: true,
  };
  const collection = rt.namespaced
    ? `${prefix}/namespaces/{namespace}/${rt.plural}`
    : `${prefix}/${rt.plural}`;
  const scopeParams = rt.namespaced ? [PARAM.namespace] : [];
  paths[collection] = {
    get: op('list', 'list', {
      description: `list or watch objects of kind ${rt.kind}`,
      parameters: LIST_PARAMS,
      responses: response(listSchema, ['200']),
    }),
    post: op('post', 'create', {
      description: `create a ${rt.kind}`,
      parameters: writeParams,
      requestBody: body(),
      responses: response(kindSchema, ['200', '201', '202']),
    }),
    delete: op('deletecollection', 'deleteCollection', {
      description: `delete collection of ${rt.kind}`,
      parameters: [...LIST_PARAMS, PARAM.dryRun, PARAM.gracePeriodSeconds, PARAM.propagationPolicy],
      requestBody: { content: content(`${META}.DeleteOptions`, ['*/*']) },
      responses: response(`${META}.Status`, ['200']),
    }),
    parameters: [...scopeParams, PARAM.pretty],
  };
  const item = `${collection}/{name}`;
  paths[item] = {
    get: op('get', 'read', {
      description: `read the specified ${rt.kind}`,
      responses: response(kindSchema, ['200']),
    }),
    put: op('put', 'replace', {
      description: `replace the specified ${rt.kind}`,
      parameters: writeParams,
      requestBody: body(),
      responses: response(kindSchema, ['200', '201']),
    }),
    patch: op('patch', 'patch', {
      description: `partially update the specified ${rt.kind}`,
      parameters: [...writeParams, PARAM.force],
      requestBody: patchBody,
      responses: response(kindSchema, ['200', '201']),
    }),
    delete: op('delete', 'delete', {
      description: `delete a ${rt.kind}`,
      parameters: [PARAM.dryRun, PARAM.gracePeriodSeconds, PARAM.propagationPolicy],
      requestBody: { content: content(`${META}.DeleteOptions`, ['*/*']) },
      responses: response(`${META}.Status`, ['200', '202']),
    }),
    parameters: [PARAM.name(rt.kind), ...scopeParams, PARAM.pretty],
  };
  if (rt.subresources.status) {
    paths[`${item}/status`] = {
      get: op('get', 'read', {
        idSuffix: `${rt.kind}Status`,
        description: `read status of the specified ${rt.kind}`,
        responses: response(kindSchema, ['200']),
      }),
      put: op('put', 'replace', {
        idSuffix: `${rt.kind}Status`,
        description: `replace status of the specified ${rt.kind}`,
        parameters: writeParams,
        requestBody: body(),
        responses: response(kindSchema, ['200', '201']),
      }),
      patch: op('patch', 'patch', {
        idSuffix: `${rt.kind}Status`,
        description: `partially update status of the specified ${rt.kind}`,
        parameters: [...writeParams, PARAM.force],
        requestBody: patchBody,
        responses: response(kindSchema, ['200', '201']),
      }),
      parameters: [PARAM.name(rt.kind), ...scopeParams, PARAM.pretty],
    };
  }
  if (rt.namespaced) {
    paths[`${prefix}/${rt.plural}`] = {
      get: op('list', 'list', {
        idSuffix: `${rt.kind}ForAllNamespaces`,
        description: `list or watch objects of kind ${rt.kind}`,
        responses: response(listSchema, ['200']),
      }),
      parameters: [...LIST_PARAMS, PARAM.pretty],
    };
  }
}

/** The list schema of a kind, as the API server publishes it. */
function listSchemaOf(rt: ResourceType): JSONSchemaProps {
  return {
    type: 'object',
    description: `${rt.listKind} is a list of ${rt.kind}`,
    required: ['items'],
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      items: {
        type: 'array',
        items: { $ref: `${REF}${schemaNameOf(rt)}` },
        description: `List of ${rt.plural}.`,
      },
      kind: {
        type: 'string',
        description: 'Kind is a string value representing the REST resource this object represents.',
      },
      metadata: { $ref: `${REF}${META}.ListMeta` },
    },
    'x-kubernetes-group-version-kind': [{ group: rt.group, version: rt.version, kind: rt.listKind }],
  };
}

/** A custom resource's schema as published: ObjectMeta for metadata, apiVersion/kind described, the GVK attached. */
function crdSchemaOf(rt: ResourceType): JSONSchemaProps {
  const schema: JSONSchemaProps = structuredClone(rt.schema ?? { type: 'object' });
  schema.type ??= 'object';
  schema.properties = {
    ...schema.properties,
    apiVersion: {
      type: 'string',
      description:
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    },
    kind: {
      type: 'string',
      description:
        'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    },
    metadata: {
      allOf: [{ $ref: `${REF}${META}.ObjectMeta` }],
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    },
  };
  schema['x-kubernetes-group-version-kind'] = [{ group: rt.group, version: rt.version, kind: rt.kind }];
  return schema;
}

function collectRefs(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) out.add(v.slice(REF.length));
      else collectRefs(v, out);
    }
  }
}

function buildDocument(types: ResourceType[]): object {
  const paths: Record<string, object> = {};
  const own: Record<string, JSONSchemaProps> = {};
  for (const rt of types) {
    resourcePaths(rt, paths);
    if (rt.crd) own[schemaNameOf(rt)] = crdSchemaOf(rt);
    own[`${schemaNameOf(rt)}List`] = listSchemaOf(rt);
  }
  // Publish only the schemas this group-version reaches, like the API server does.
  const base = schemasBase();
  const schemas: Record<string, JSONSchemaProps> = {};
  const pending = new Set<string>();
  collectRefs(paths, pending);
  for (const name of Object.keys(own)) pending.add(name);
  while (pending.size > 0) {
    const name = pending.values().next().value!;
    pending.delete(name);
    if (schemas[name]) continue;
    const schema = own[name] ?? base[name];
    if (!schema) continue;
    schemas[name] = schema;
    const refs = new Set<string>();
    collectRefs(schema, refs);
    for (const r of refs) if (!schemas[r]) pending.add(r);
  }
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((k) => [k, schemas[k]!]),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths,
    components: {
      schemas: sorted,
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
  };
}

/** A serialized OpenAPI document and its content hash (the `?hash=` of the root document, usable as ETag). */
export interface OpenAPIBody {
  /** The document as JSON text. */
  json: string;
  /** Uppercase hex SHA-512 of `json`. */
  hash: string;
}

function normalizePath(path: string): string {
  let p = path.split('?')[0]!.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p.startsWith('openapi/v3/')) p = p.slice('openapi/v3/'.length);
  return p;
}

function typesAt(reg: ResourceRegistry, path: string): ResourceType[] {
  const parts = path.split('/');
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length === 2) {
    group = '';
    version = parts[1]!;
  } else if (parts[0] === 'apis' && parts.length === 3) {
    group = parts[1]!;
    version = parts[2]!;
  } else {
    return [];
  }
  return reg.all().filter((rt) => rt.group === group && rt.version === version);
}

// Built-in group-versions produce the same document in every registry; share them across registries.
const builtinBodies = new Map<string, OpenAPIBody>();

/**
 * The serialized OpenAPI v3 document of a group-version (`api/v1`, `apis/apps/v1`, also accepted with a
 * `/openapi/v3/` prefix and a `?hash=` query), or undefined when not served. Cached: built-in documents once per
 * process, documents with custom resources once per registry generation.
 */
export function openapiDocumentBody(reg: ResourceRegistry, path: string): OpenAPIBody | undefined {
  const p = normalizePath(path);
  return cachedPerGeneration(reg, `openapi:${p}`, () => {
    const types = typesAt(reg, p);
    if (types.length === 0) return undefined;
    const builtinOnly = types.every((t) => !t.crd);
    const key = `${p}:${types.map((t) => t.schemaName ?? t.plural).join(',')}`;
    if (builtinOnly) {
      const hit = builtinBodies.get(key);
      if (hit) return hit;
    }
    const json = JSON.stringify(buildDocument(types));
    const body = { json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
    if (builtinOnly) builtinBodies.set(key, body);
    return body;
  });
}

/** The OpenAPI v3 document of a group-version as an object (see {@link openapiDocumentBody}). */
export function openapiDocument(reg: ResourceRegistry, path: string): object | undefined {
  const p = normalizePath(path);
  return cachedPerGeneration(reg, `openapi-object:${p}`, () => {
    const body = openapiDocumentBody(reg, p);
    return body ? (JSON.parse(body.json) as object) : undefined;
  });
}

/**
 * The OpenAPI v3 discovery document served at `GET /openapi/v3`: one entry per served group-version with a
 * `serverRelativeURL` whose `hash` changes whenever that document changes (clients cache by URL).
 */
export function openapiRoot(reg: ResourceRegistry): object {
  return cachedPerGeneration(reg, 'openapi:root', () => {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const g of reg.groupVersions()) {
      for (const v of g.versions) {
        const p = gvPath(g.group, v);
        const body = openapiDocumentBody(reg, p);
        if (body) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${body.hash}` };
      }
    }
    return { paths };
  });
}
