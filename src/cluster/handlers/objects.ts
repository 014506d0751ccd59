import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  deepClone,
  deepEqual,
  InvalidPatchError,
  type JsonPatchOperation,
  type JsonValue,
  PatchPathNotFoundError,
  PatchTestFailedError,
} from '../../patch/index.js';
import {
  ApplyRequestError,
  isApplyPatchType,
  validateApplyBody,
  validatePatchOptions,
} from '../apply/index.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  notFound,
  type ResourceRef,
  type StatusCause,
  StatusError,
  unsupportedMediaType,
} from '../http/index.js';
import type { ResourceRegistry, ResourceType } from '../registry/index.js';
import {
  KeyExistsError,
  KeyNotFoundError,
  type KubeObject,
  RevisionConflictError,
  RevisionExpiredError,
  type Store,
  type StoredObject,
} from '../storage/index.js';
import { coreToEventsApi, eventsApiToCore, isEventsApiEvent } from './events.js';
import type { Selector } from './selectors.js';

/** How unknown fields in a write are treated (`fieldValidation`). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The outcome of admission: the defaulted object, or the problems found. */
export interface AdmissionResult {
  object: KubeObject;
  /** Field problems; non-empty means 422 Invalid. */
  causes: StatusCause[];
  /** Paths of fields the type does not know; 400 under Strict, warnings under Warn. */
  unknownFields: string[];
  warnings: string[];
  /** Set when the object does not decode into its type: 400 BadRequest with this cause. */
  decodeError?: string;
}

/** Defaults, validates and prunes an object before it is stored. */
export type AdmitFunction = (
  rt: ResourceType,
  object: KubeObject,
  options: { operation: 'CREATE' | 'UPDATE'; old?: KubeObject; fieldValidation: FieldValidation },
) => AdmissionResult;

/** Computes the managedFields of an object written by an Update operation (PUT or non-apply PATCH). */
export type ManagedFieldsFunction = (
  old: KubeObject | undefined,
  next: KubeObject,
  options: {
    manager: string;
    operation: 'Update';
    rt: ResourceType;
    apiVersion: string;
    subresource?: string;
  },
) => unknown[];

/** Server-side apply of one object (`application/apply-patch+yaml`). */
export type ApplyFunction = (
  live: KubeObject | undefined,
  applied: KubeObject,
  options: { manager: string; force: boolean; rt: ResourceType; apiVersion: string; subresource?: string },
) => { object: KubeObject; changed: boolean };

/** The status of a CustomResourceDefinition as the API server sets it. */
export type CrdStatusFunction = (crd: KubeObject, old?: KubeObject) => KubeObject;

/** What the object service needs. */
export interface ObjectServiceDeps {
  store: Store;
  registry: ResourceRegistry;
  /** Admission (defaults, validation, unknown fields). Default: accepts objects as they are. */
  admit?: AdmitFunction;
  /** managedFields for Update operations. Default: one simple entry per manager. */
  managedFields?: ManagedFieldsFunction;
  /** Server-side apply. Default: apply patches are refused with 415. */
  apply?: ApplyFunction;
  /** CRD status. Default: names accepted, established, stored versions. */
  crdStatus?: CrdStatusFunction;
  /** The clock. Default: `() => new Date()`. */
  now?: () => Date;
  logger?: Logger;
}

/** Options common to writes. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** The field manager; default derived from the user agent. */
  fieldManager?: string;
  userAgent?: string;
  /** `status`, `scale` or `finalize` when writing a subresource. */
  subresource?: string;
  /** managedFields computed by server-side apply, stored instead of an Update entry. */
  managedFields?: unknown[];
  /** Fields the request body sets twice (reported like unknown fields under `fieldValidation`). */
  duplicateFields?: string[];
}

/** The outcome of a write. */
export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** True when a create happened (201). */
  created?: boolean;
}

/** Kubernetes DeleteOptions (the parts the server honours). */
export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: string[];
}

/** Options of {@link ObjectService.list}. */
export interface ListRequest {
  labelSelector?: Selector;
  fieldSelector?: Selector;
  limit?: number;
  continue?: string;
  /** List the state at exactly this revision (`resourceVersionMatch=Exact`); 410 when compacted. */
  exactRevision?: number;
}

/** The result of a list: items plus ListMeta. */
export interface ListResponse {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** The finalizer the API server keeps on CRDs until their instances are gone. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
/** The finalizer for foreground cascading deletion. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
/** The finalizer for orphaning deletion. */
export const ORPHAN_FINALIZER = 'orphan';

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const CRD_PREFIX = '/registry/apiextensions.k8s.io/customresourcedefinitions/';

/** Groups and core kinds whose objects carry no `metadata.generation`. */
const NO_GENERATION_GROUPS = new Set([
  'coordination.k8s.io',
  'rbac.authorization.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'apiregistration.k8s.io',
]);
const CORE_WITH_GENERATION = new Set(['Pod', 'ReplicationController']);

/** Whether objects of `rt` carry `metadata.generation`. */
export function hasGeneration(rt: ResourceType): boolean {
  if (rt.crd) return true;
  if (rt.group === '') return CORE_WITH_GENERATION.has(rt.kind);
  return !NO_GENERATION_GROUPS.has(rt.group);
}

/** The apiVersion string of a resource type. */
export function apiVersionOf(rt: ResourceType, version = rt.version): string {
  return rt.group ? `${rt.group}/${version}` : version;
}

/** `{group, resource}` for Status errors. */
export function refOf(rt: ResourceType): ResourceRef {
  return { group: rt.group, resource: rt.plural };
}

/** A timestamp the way Kubernetes writes them: RFC 3339, seconds precision. */
export function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function encodeContinue(revision: number, lastKey: string, prefix: string): string {
  const start = `${lastKey.slice(prefix.length)}\u0000`;
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start })).toString('base64');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      rv?: unknown;
      start?: unknown;
    };
    if (typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || parsed.start.includes('/')) {
      throw new Error('malformed');
    }
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

function isObj(value: unknown): value is KubeObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies of the parts of two objects that decide whether `generation` moves. */
function specOf(object: KubeObject, rt: ResourceType): KubeObject {
  const { metadata: _m, status, ...rest } = object;
  return rt.subresources.status ? rest : { ...rest, status };
}

function withoutVolatile(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

/** The field manager Kubernetes derives from a user agent: the part before the first `/`. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').split('/')[0]!.trim();
  return ua || 'unknown';
}

function simpleManagedFields(
  old: KubeObject | undefined,
  _next: KubeObject,
  options: { manager: string; apiVersion: string; subresource?: string },
  now: Date,
): unknown[] {
  const entries = ((old?.metadata?.managedFields as KubeObject[] | undefined) ?? []).filter(
    (e) =>
      !(
        e.manager === options.manager &&
        e.operation === 'Update' &&
        (e.subresource ?? '') === (options.subresource ?? '')
      ),
  );
  const entry: KubeObject = {
    manager: options.manager,
    operation: 'Update',
    apiVersion: options.apiVersion,
    time: timestamp(now),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
  };
  if (options.subresource) entry.subresource = options.subresource;
  entries.push(entry);
  return entries;
}

function defaultCrdStatus(crd: KubeObject): KubeObject {
  const versions: KubeObject[] = crd.spec?.versions ?? [];
  const storage = versions.find((v) => v.storage)?.name;
  const stored = new Set<string>(crd.status?.storedVersions ?? []);
  if (storage) stored.add(storage);
  const names = crd.spec?.names ?? {};
  return {
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: timestamp(new Date()),
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: timestamp(new Date()),
      },
    ],
    acceptedNames: {
      plural: names.plural,
      singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
    },
    storedVersions: [...stored],
  };
}

const PATH_UNSAFE = /[/%]/;

/**
 * The semantics of Kubernetes objects on top of the store: create, read, list, update, patch and delete
 * with the API server's rules (uid, timestamps, generation, optimistic concurrency, status subresources,
 * finalizers and deletion propagation, namespaces). HTTP handlers and the garbage collector both use it.
 */
export class ObjectService {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  private readonly deps: ObjectServiceDeps;
  private readonly now: () => Date;
  private readonly stopCrdWatch: () => void;

  constructor(deps: ObjectServiceDeps) {
    this.deps = deps;
    this.store = deps.store;
    this.registry = deps.registry;
    this.now = deps.now ?? (() => new Date());
    // Serve stored CRDs, and follow every later change of them (the watch callback runs when a write commits,
    // before any response can show it).
    for (const item of this.store.list(CRD_PREFIX).items) this.installCRD(item.object);
    this.stopCrdWatch = this.store.watch(CRD_PREFIX, this.store.currentRevision, (event) => {
      if (event.type === 'DELETED') this.registry.removeCRD(event.object.metadata?.name);
      else this.installCRD(event.object);
    });
  }

  private installCRD(crd: KubeObject): void {
    try {
      this.registry.installCRD(crd);
    } catch (err) {
      this.deps.logger?.warn({ err, crd: crd.metadata?.name }, 'CRD could not be served');
    }
  }

  /** Stops following CRD changes. */
  close(): void {
    this.stopCrdWatch();
  }

  /** The storage key of an object. */
  key(rt: ResourceType, namespace: string | undefined, name: string): string {
    const group = rt.group && !isEventsApiEvent(rt) ? rt.group : 'core';
    return rt.namespaced
      ? `/registry/${group}/${rt.plural}/${namespace}/${name}`
      : `/registry/${group}/${rt.plural}/${name}`;
  }

  /** The storage prefix of a resource, optionally within a namespace. */
  prefix(rt: ResourceType, namespace?: string): string {
    const group = rt.group && !isEventsApiEvent(rt) ? rt.group : 'core';
    return rt.namespaced && namespace
      ? `/registry/${group}/${rt.plural}/${namespace}/`
      : `/registry/${group}/${rt.plural}/`;
  }

  /** The resource type a storage key belongs to (its storage version), if still served. */
  typeOfKey(key: string): ResourceType | undefined {
    const [, , group, plural] = key.split('/');
    const g = group === 'core' ? '' : group;
    let fallback: ResourceType | undefined;
    for (const rt of this.registry.all()) {
      if (rt.group !== g || rt.plural !== plural) continue;
      if (rt.version === rt.storageVersion) return rt;
      fallback ??= rt;
    }
    return fallback;
  }

  /** Converts a stored object to the version of `rt` (custom resources differ in apiVersion only). */
  present(rt: ResourceType, object: KubeObject): KubeObject {
    if (isEventsApiEvent(rt)) return coreToEventsApi(object, rt.version);
    const apiVersion = apiVersionOf(rt);
    if (object.apiVersion === apiVersion && object.kind === rt.kind) return object;
    return { ...object, apiVersion, kind: rt.kind };
  }

  private toStorage(rt: ResourceType, object: KubeObject): KubeObject {
    object.apiVersion = apiVersionOf(rt, rt.storageVersion);
    object.kind = rt.kind;
    return object;
  }

  /** The form an object is stored in: `events.k8s.io` Events are kept as `core/v1` Events. */
  private storageForm(rt: ResourceType, object: KubeObject): KubeObject {
    return isEventsApiEvent(rt) ? eventsApiToCore(object) : object;
  }

  private stored(rt: ResourceType, namespace: string | undefined, name: string): StoredObject {
    const found = this.store.get(this.key(rt, namespace, name));
    if (!found) throw notFound(refOf(rt), name);
    return found;
  }

  /** Reads one object (404 when missing). */
  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return this.present(rt, this.stored(rt, namespace, name).object);
  }

  /** Lists objects with selectors and paging. */
  list(rt: ResourceType, namespace: string | undefined, request: ListRequest = {}): ListResponse {
    const prefix = this.prefix(rt, namespace);
    let revision = request.exactRevision;
    let after: string | undefined;
    if (request.continue) {
      const token = decodeContinue(request.continue);
      revision = token.rv;
      after = prefix + token.start;
    }
    const { labelSelector, fieldSelector } = request;
    const filter =
      labelSelector || fieldSelector
        ? (stored: KubeObject) => {
            const o = this.present(rt, stored);
            return (!labelSelector || labelSelector(o)) && (!fieldSelector || fieldSelector(o));
          }
        : undefined;
    let result: ReturnType<Store['list']>;
    try {
      result = this.store.list(prefix, { revision, after, limit: request.limit || undefined, filter });
    } catch (err) {
      if (err instanceof RevisionExpiredError) {
        throw expired(
          request.continue
            ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
            : `too old resource version: ${revision} (${err.compactRevision + 1})`,
        );
      }
      throw err;
    }
    const response: ListResponse = {
      items: result.items.map((i) => this.present(rt, i.object)),
      resourceVersion: String(result.revision),
    };
    if (result.more && result.items.length > 0) {
      response.continue = encodeContinue(result.revision, result.items[result.items.length - 1]!.key, prefix);
    }
    return response;
  }

  private checkNamespace(rt: ResourceType, namespace: string | undefined, name: string): void {
    if (!rt.namespaced) return;
    if (!namespace) throw badRequest('the namespace of the object must be set');
    const ns = this.store.get(`/registry/core/namespaces/${namespace}`);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.object.metadata?.deletionTimestamp) {
      throw forbidden(
        refOf(rt),
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private checkIdentity(rt: ResourceType, body: KubeObject): void {
    const want = apiVersionOf(rt);
    if (body.apiVersion !== undefined && body.apiVersion !== want) {
      // Custom resources may be written in any served version of their group.
      const [group, version] = String(body.apiVersion).includes('/')
        ? String(body.apiVersion).split('/')
        : ['', String(body.apiVersion)];
      const sibling = this.registry.byKind(group!, version!, rt.kind);
      if (!sibling || sibling.group !== rt.group) {
        throw badRequest(
          `the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`,
        );
      }
    }
    if (body.kind !== undefined && body.kind !== rt.kind) {
      throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`);
    }
  }

  private admit(
    rt: ResourceType,
    object: KubeObject,
    operation: 'CREATE' | 'UPDATE',
    old: KubeObject | undefined,
    options: WriteOptions,
  ): { object: KubeObject; warnings: string[] } {
    const fieldValidation = options.fieldValidation ?? 'Warn';
    const name = object.metadata?.name ?? '';
    // Admission validates names by kind; without it, names must at least be valid path segments.
    if (!this.deps.admit && name && (PATH_UNSAFE.test(name) || name === '.' || name === '..')) {
      throw invalid(rt.kind, rt.group, name, [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${name}": may not contain '/' or '%' and may not be '.' or '..'`,
          field: 'metadata.name',
        },
      ]);
    }
    const duplicates = options.duplicateFields ?? [];
    const result = this.deps.admit
      ? this.deps.admit(rt, object, { operation, old, fieldValidation })
      : { object, causes: [], unknownFields: [], warnings: [] };
    if (result.decodeError) {
      throw badRequest(
        `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${result.decodeError}`,
      );
    }
    if (result.causes.length > 0) throw invalid(rt.kind, rt.group, name, result.causes);
    const warnings = [...result.warnings];
    const problems = [
      ...result.unknownFields.map((f) => ({ field: f, message: `unknown field "${f}"` })),
      ...duplicates.map((f) => ({ field: f, message: `duplicate field "${f}"` })),
    ];
    if (problems.length > 0) {
      if (fieldValidation === 'Strict') {
        throw new StatusError(
          400,
          'BadRequest',
          `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${problems.map((p) => p.message).join(', ')}`,
          {
            causes: problems.map((p) => ({
              reason: 'FieldValueInvalid',
              message: p.message,
              field: p.field,
            })),
          },
        );
      }
      if (fieldValidation === 'Warn') warnings.push(...problems.map((p) => p.message));
    }
    return { object: result.object, warnings };
  }

  private managedFields(
    rt: ResourceType,
    old: KubeObject | undefined,
    next: KubeObject,
    options: WriteOptions,
  ): unknown[] {
    const manager = options.fieldManager ?? managerFromUserAgent(options.userAgent);
    const apiVersion = apiVersionOf(rt);
    const subresource =
      options.subresource === 'status' || options.subresource === 'scale' ? options.subresource : undefined;
    if (this.deps.managedFields) {
      return this.deps.managedFields(old, next, {
        manager,
        operation: 'Update',
        rt,
        apiVersion,
        subresource,
      });
    }
    return simpleManagedFields(old, next, { manager, apiVersion, subresource }, this.now());
  }

  /** Creates an object (POST). */
  create(
    rt: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions = {},
  ): WriteResult {
    if (!isObj(body)) throw badRequest('the request body must be a JSON or YAML object');
    this.checkIdentity(rt, body);
    const object = deepClone(body) as KubeObject;
    object.metadata = isObj(object.metadata) ? object.metadata : {};
    const meta = object.metadata;
    if (rt.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
      meta.name = `${meta.generateName}${suffix}`;
    }
    if (!meta.name) {
      throw invalid(rt.kind, rt.group, '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          field: 'metadata.name',
        },
      ]);
    }
    if (rt.namespaced) this.checkNamespace(rt, meta.namespace, meta.name);
    this.toStorage(rt, object);
    // Fields the server owns on create.
    for (const field of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'])
      delete meta[field];
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(this.now());
    if (hasGeneration(rt)) meta.generation = 1;
    else delete meta.generation;
    if (rt.subresources.status) delete object.status;
    this.prepareCreateByKind(rt, object);

    const admitted = this.admit(rt, object, 'CREATE', undefined, options);
    const ready = admitted.object;
    ready.metadata.managedFields = options.managedFields ?? this.managedFields(rt, undefined, ready, options);
    if (rt.group === 'apiextensions.k8s.io' && rt.kind === 'CustomResourceDefinition') {
      ready.status = (this.deps.crdStatus ?? defaultCrdStatus)(ready);
    }
    if (options.dryRun) {
      if (this.store.get(this.key(rt, meta.namespace, meta.name))) throw alreadyExists(refOf(rt), meta.name);
      return { object: this.present(rt, ready), warnings: admitted.warnings, created: true };
    }
    try {
      const stored = this.store.create(this.key(rt, meta.namespace, meta.name), this.storageForm(rt, ready));
      return { object: this.present(rt, stored.object), warnings: admitted.warnings, created: true };
    } catch (err) {
      if (err instanceof KeyExistsError) throw alreadyExists(refOf(rt), meta.name);
      throw err;
    }
  }

  private prepareCreateByKind(rt: ResourceType, object: KubeObject): void {
    if (rt.group === '' && rt.kind === 'Namespace') {
      object.spec = isObj(object.spec) ? object.spec : {};
      object.spec.finalizers ??= ['kubernetes'];
      object.status = { phase: 'Active' };
    } else if (rt.group === '' && rt.kind === 'Pod') {
      // Admission computes the QoS class from the containers' resources.
      object.status = { phase: 'Pending' };
    } else if (rt.group === 'apiextensions.k8s.io' && rt.kind === 'CustomResourceDefinition') {
      const finalizers: string[] = object.metadata.finalizers ?? [];
      if (!finalizers.includes(CRD_CLEANUP_FINALIZER))
        object.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
    }
  }

  /** Replaces an object (PUT), on the main resource or a subresource. */
  update(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): WriteResult {
    if (!isObj(body)) throw badRequest('the request body must be a JSON or YAML object');
    const current = this.stored(rt, namespace, name);
    return this.replace(rt, current, deepClone(body) as KubeObject, options);
  }

  /**
   * Applies the rules of an update to `incoming` against `current` and stores the result; shared by PUT,
   * PATCH and the server's own writes.
   */
  replace(
    rt: ResourceType,
    current: StoredObject,
    incoming: KubeObject,
    options: WriteOptions = {},
  ): WriteResult {
    const old = isEventsApiEvent(rt) ? this.present(rt, current.object) : current.object;
    const name = old.metadata.name as string;
    if (options.subresource !== 'scale') this.checkIdentity(rt, incoming);
    incoming.metadata = isObj(incoming.metadata) ? incoming.metadata : {};
    const meta = incoming.metadata;
    // The request's managedFields replace the stored ones (`[]` clears them); subresources cannot set them.
    const requestedFields = options.subresource ? undefined : (meta.managedFields as unknown);
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (rt.namespaced && meta.namespace !== undefined && meta.namespace !== old.metadata.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (
      meta.resourceVersion !== undefined &&
      meta.resourceVersion !== '' &&
      meta.resourceVersion !== old.metadata.resourceVersion
    ) {
      throw conflict(
        refOf(rt),
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== old.metadata.uid) {
      throw conflict(
        refOf(rt),
        name,
        `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }

    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...deepClone(old), status: incoming.status };
      if (incoming.status === undefined) delete next.status;
    } else if (options.subresource === 'finalize') {
      next = deepClone(old);
      next.spec = { ...(next.spec ?? {}), finalizers: incoming.spec?.finalizers ?? [] };
    } else {
      next = incoming;
      if (rt.subresources.status) {
        if (old.status === undefined) delete next.status;
        else next.status = deepClone(old.status);
      }
    }
    const nm = next.metadata;
    nm.name = name;
    if (rt.namespaced) nm.namespace = old.metadata.namespace;
    nm.uid = old.metadata.uid;
    nm.creationTimestamp = old.metadata.creationTimestamp;
    for (const field of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
      if (old.metadata[field] === undefined) delete nm[field];
      else nm[field] = old.metadata[field];
    }
    delete nm.selfLink;
    this.toStorage(rt, next);
    if (rt.group === '' && rt.kind === 'Namespace' && options.subresource !== 'status') {
      next.status = deepClone(old.status);
    }

    if (old.metadata.deletionTimestamp) {
      const before = new Set<string>(old.metadata.finalizers ?? []);
      const added = ((nm.finalizers as string[] | undefined) ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw invalid(rt.kind, rt.group, name, [
          {
            reason: 'FieldValueForbidden',
            message:
              'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ' +
              JSON.stringify(added),
            field: 'metadata.finalizers',
          },
        ]);
      }
    }

    const admitted = this.admit(rt, next, 'UPDATE', old, options);
    if (options.subresource === 'finalize') {
      // Admission keeps a namespace's finalizers; this subresource is the one place that changes them.
      admitted.object.spec = { ...(admitted.object.spec ?? {}), finalizers: incoming.spec?.finalizers ?? [] };
    }
    next = admitted.object;
    if (
      rt.group === 'apiextensions.k8s.io' &&
      rt.kind === 'CustomResourceDefinition' &&
      options.subresource !== 'status'
    ) {
      next.status = (this.deps.crdStatus ?? defaultCrdStatus)(next, old);
    }
    if (hasGeneration(rt) && !deepEqual(specOf(old, rt), specOf(next, rt))) {
      next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    next.metadata.managedFields = old.metadata.managedFields;
    const oldFields = old.metadata.managedFields;
    const preset = options.managedFields;
    const sameBody = deepEqual(withoutVolatile(old), withoutVolatile(next));
    const asked = preset ?? requestedFields;
    // A no-op write stores nothing: same resourceVersion, no event.
    const noop = { object: this.present(rt, old), warnings: admitted.warnings };
    if (sameBody && (asked === undefined || deepEqual(asked, oldFields))) return noop;
    if (preset !== undefined) next.metadata.managedFields = preset;
    else {
      if (requestedFields !== undefined) next.metadata.managedFields = requestedFields;
      next.metadata.managedFields = this.managedFields(rt, old, next, options);
      if (sameBody && deepEqual(next.metadata.managedFields, oldFields ?? [])) return noop;
    }
    if ((next.metadata.managedFields as unknown[]).length === 0) delete next.metadata.managedFields;
    return { object: this.present(rt, this.commit(rt, current, next, options)), warnings: admitted.warnings };
  }

  /** Stores an updated object; one being deleted whose last finalizer went away is removed instead. */
  private commit(
    rt: ResourceType,
    current: StoredObject,
    next: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const finalizing = next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0;
    // A namespace also waits for its spec.finalizers (the contents' removal).
    const namespaceBlocked =
      rt.group === '' && rt.kind === 'Namespace' && (next.spec?.finalizers ?? []).length > 0;
    if (options.dryRun) {
      return {
        ...next,
        metadata: { ...next.metadata, resourceVersion: current.object.metadata.resourceVersion },
      };
    }
    try {
      if (finalizing && !namespaceBlocked) return this.store.delete(current.key, current.revision).object;
      return this.store.update(current.key, this.storageForm(rt, next), current.revision).object;
    } catch (err) {
      if (err instanceof RevisionConflictError || err instanceof KeyNotFoundError) {
        throw conflict(
          refOf(rt),
          current.object.metadata.name,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      throw err;
    }
  }

  /**
   * Patches an object (PATCH) with a JSON, merge, strategic merge or apply patch. `options.force` is
   * `undefined` when the request does not carry it: only apply patches may.
   */
  patch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    options: WriteOptions & { force?: boolean } = {},
  ): WriteResult {
    const type = contentType.split(';')[0]!.trim().toLowerCase();
    try {
      validatePatchOptions({ patchType: type, fieldManager: options.fieldManager, force: options.force });
    } catch (err) {
      throw requestError(err);
    }
    if (isApplyPatchType(type)) return this.applyPatch(rt, namespace, name, patch, options);
    const current = this.stored(rt, namespace, name);
    const base = this.present(rt, current.object) as JsonValue;
    let target: KubeObject;
    if (options.subresource === 'scale') return this.patchScale(rt, current, type, patch, options);
    try {
      switch (type) {
        case 'application/json-patch+json':
          if (!Array.isArray(patch)) throw badRequest('the JSON patch must be an array of operations');
          target = applyJsonPatch(base, patch as JsonPatchOperation[]) as KubeObject;
          break;
        case 'application/merge-patch+json':
          if (!isObj(patch)) throw badRequest('the merge patch must be a JSON object');
          target = applyMergePatch(base, patch as JsonValue) as KubeObject;
          break;
        case 'application/strategic-merge-patch+json': {
          if (rt.crd) {
            throw unsupportedMediaType(
              'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
            );
          }
          if (!isObj(patch)) throw badRequest('the strategic merge patch must be a JSON object');
          const result = applyStrategicMergePatch(base, patch as JsonValue, rt.type);
          if (result === null) throw badRequest('the strategic merge patch may not delete the whole object');
          target = result as KubeObject;
          break;
        }
        default:
          throw unsupportedMediaType(
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type})`,
          );
      }
    } catch (err) {
      throw patchError(rt, name, err);
    }
    if (!isObj(target)) throw badRequest('the patched document is not an object');
    const meta = isObj(target.metadata) ? target.metadata : {};
    // A patch that leaves resourceVersion as it was carries no precondition; one that changes it does.
    if (meta.resourceVersion === current.object.metadata.resourceVersion) delete meta.resourceVersion;
    return this.replace(rt, current, target, options);
  }

  private applyPatch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: WriteOptions & { force?: boolean },
  ): WriteResult {
    if (!this.deps.apply) {
      throw unsupportedMediaType(
        'the embedded cluster does not support server-side apply yet: use kubectl apply --server-side=false or another patch type',
      );
    }
    if (!isObj(patch)) throw badRequest('the apply patch must be an object');
    try {
      validateApplyBody(patch, {
        apiVersion: apiVersionOf(rt),
        kind: rt.kind,
        name,
        ...(rt.namespaced && namespace !== undefined ? { namespace } : {}),
      });
    } catch (err) {
      throw requestError(err);
    }
    const current = this.store.get(this.key(rt, namespace, name));
    const live = current ? this.present(rt, current.object) : undefined;
    const applied = this.deps.apply(live, patch, {
      manager: options.fieldManager ?? '',
      force: options.force ?? false,
      rt,
      apiVersion: apiVersionOf(rt),
      subresource: options.subresource,
    });
    const managedFields = applied.object.metadata?.managedFields as unknown[] | undefined;
    if (!current) {
      const body = { ...applied.object, metadata: { ...applied.object.metadata, name } };
      return this.create(rt, namespace, body, { ...options, managedFields });
    }
    if (!applied.changed) return { object: live!, warnings: [] };
    return this.replace(rt, current, deepClone(applied.object), { ...options, managedFields });
  }

  /** The `autoscaling/v1` Scale of an object with a scale subresource. */
  getScale(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return this.scaleOf(rt, this.stored(rt, namespace, name).object);
  }

  private scaleOf(rt: ResourceType, object: KubeObject): KubeObject {
    const scale = rt.subresources.scale;
    if (!scale) throw notFound(refOf(rt), object.metadata.name);
    const read = (path: string | undefined) => {
      if (!path) return undefined;
      // biome-ignore lint/suspicious/noExplicitAny: walking arbitrary JSON
      let value: any = object;
      for (const part of path.replace(/^\./, '').split('.')) value = value?.[part];
      return value;
    };
    let selector = read(scale.labelSelectorPath);
    if (isObj(selector)) {
      const labels = (selector.matchLabels ?? {}) as Record<string, string>;
      selector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
    }
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
        creationTimestamp: object.metadata.creationTimestamp,
      },
      spec: { replicas: read(scale.specReplicasPath) ?? 0 },
      status: { replicas: read(scale.statusReplicasPath) ?? 0, ...(selector ? { selector } : {}) },
    };
  }

  private writeScale(
    rt: ResourceType,
    current: StoredObject,
    replicas: unknown,
    options: WriteOptions,
  ): WriteResult {
    const scale = rt.subresources.scale!;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', current.object.metadata.name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: must be greater than or equal to 0',
          field: 'spec.replicas',
        },
      ]);
    }
    const next = deepClone(current.object);
    const parts = scale.specReplicasPath.replace(/^\./, '').split('.');
    let cursor = next;
    for (const part of parts.slice(0, -1)) {
      cursor[part] = isObj(cursor[part]) ? cursor[part] : {};
      cursor = cursor[part];
    }
    cursor[parts[parts.length - 1]!] = replicas;
    const result = this.replace(rt, current, next, { ...options, subresource: 'scale' });
    return { object: this.scaleOf(rt, result.object), warnings: result.warnings };
  }

  /** Replaces the Scale of an object (PUT …/scale). */
  updateScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): WriteResult {
    const current = this.stored(rt, namespace, name);
    if (!isObj(body)) throw badRequest('the request body must be a Scale object');
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== current.object.metadata.resourceVersion) {
      throw conflict(
        refOf(rt),
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return this.writeScale(rt, current, body.spec?.replicas, options);
  }

  private patchScale(
    rt: ResourceType,
    current: StoredObject,
    type: string,
    patch: unknown,
    options: WriteOptions,
  ): WriteResult {
    const scale = this.scaleOf(rt, current.object) as JsonValue;
    let next: KubeObject;
    try {
      if (type === 'application/json-patch+json')
        next = applyJsonPatch(scale, patch as JsonPatchOperation[]) as KubeObject;
      else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
        next = applyMergePatch(scale, patch as JsonValue) as KubeObject;
      } else throw unsupportedMediaType(`unsupported patch type ${type} for the scale subresource`);
    } catch (err) {
      throw patchError(rt, current.object.metadata.name, err);
    }
    return this.writeScale(rt, current, next.spec?.replicas, options);
  }

  /**
   * Deletes an object with Kubernetes' rules: preconditions, finalizers, `deletionTimestamp`, and the
   * propagation policy's finalizer (`foregroundDeletion`, `orphan`) for the garbage collector.
   */
  delete(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    deleteOptions: DeleteOptions = {},
    options: WriteOptions = {},
  ): WriteResult {
    const current = this.stored(rt, namespace, name);
    const old = isEventsApiEvent(rt) ? this.present(rt, current.object) : current.object;
    const pre = deleteOptions.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        refOf(rt),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        refOf(rt),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    const policy =
      deleteOptions.propagationPolicy ??
      (deleteOptions.orphanDependents === true
        ? 'Orphan'
        : deleteOptions.orphanDependents === false
          ? 'Background'
          : 'Background');
    const next = deepClone(old);
    const finalizers: string[] = [...(next.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER))
      finalizers.push(FOREGROUND_FINALIZER);
    if (policy === 'Orphan' && !finalizers.includes(ORPHAN_FINALIZER)) finalizers.push(ORPHAN_FINALIZER);
    if (policy === 'Background') {
      const i = finalizers.indexOf(ORPHAN_FINALIZER);
      if (i >= 0 && !old.metadata.deletionTimestamp) finalizers.splice(i, 1);
    }
    const isNamespace = rt.group === '' && rt.kind === 'Namespace';

    if (old.metadata.deletionTimestamp) {
      // Already being deleted: a later request may only add a propagation finalizer.
      const merged = [...new Set([...(old.metadata.finalizers ?? []), ...finalizers])];
      if (merged.length === (old.metadata.finalizers ?? []).length || options.dryRun) {
        return { object: this.present(rt, old), warnings: [] };
      }
      next.metadata.finalizers = merged;
      return { object: this.present(rt, this.commit(rt, current, next, options)), warnings: [] };
    }

    if (finalizers.length > 0 || isNamespace) {
      next.metadata.deletionTimestamp = timestamp(this.now());
      next.metadata.deletionGracePeriodSeconds = 0;
      if (finalizers.length > 0) next.metadata.finalizers = finalizers;
      if (hasGeneration(rt)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
      if (isNamespace) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      return { object: this.present(rt, this.commit(rt, current, next, options)), warnings: [] };
    }
    if (options.dryRun) return { object: this.present(rt, old), warnings: [] };
    try {
      return {
        object: this.present(rt, this.store.delete(current.key, current.revision).object),
        warnings: [],
      };
    } catch (err) {
      if (err instanceof RevisionConflictError || err instanceof KeyNotFoundError) {
        throw conflict(
          refOf(rt),
          name,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      throw err;
    }
  }

  /** Deletes every object the selectors match (DELETE on a collection). */
  deleteCollection(
    rt: ResourceType,
    namespace: string | undefined,
    request: ListRequest,
    deleteOptions: DeleteOptions = {},
    options: WriteOptions = {},
  ): ListResponse {
    const listed = this.list(rt, namespace, { ...request, limit: undefined, continue: undefined });
    const items: KubeObject[] = [];
    for (const item of listed.items) {
      try {
        items.push(
          this.delete(rt, item.metadata.namespace, item.metadata.name, deleteOptions, options).object,
        );
      } catch (err) {
        if (!(err instanceof StatusError && (err.status === 404 || err.status === 409))) throw err;
      }
    }
    return { items, resourceVersion: String(this.store.currentRevision) };
  }
}

/** The Status of a request check from server-side apply, keeping its details (group, kind, causes). */
function requestError(err: unknown): unknown {
  if (err instanceof ApplyRequestError) {
    return new StatusError(err.status, err.reason, err.message, err.details, { cause: err });
  }
  return err;
}

function patchError(rt: ResourceType, name: string, err: unknown): unknown {
  if (err instanceof StatusError) return err;
  if (err instanceof PatchTestFailedError || err instanceof PatchPathNotFoundError) {
    return invalid(rt.kind, rt.group, name, [
      { reason: 'FieldValueInvalid', message: err.message, field: err.path },
    ]);
  }
  if (err instanceof InvalidPatchError) return badRequest(err.message);
  return err;
}
