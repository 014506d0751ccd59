import { NotFoundError, SluiceError } from '../api/index.js';
import { errorFromResponse } from './errors.js';
import type { KubeConfigSource, LoadKubeConfigOptions } from './kubeconfig.js';
import { loadKubeConfig } from './kubeconfig.js';
import type { ResourceMapping } from './rest-mapper.js';
import { RestMapper } from './rest-mapper.js';
import type { HttpRequest, HttpTransportOptions, KubeTransport } from './transport.js';
import { createHttpTransport } from './transport.js';
import type { KubeList, KubeObject, ObjectRef, TypeRef, WatchEvent } from './types.js';
import { objectKey } from './types.js';
import { decodeJsonLines } from './watch-decoder.js';

/** Options every call accepts. */
export interface CallOptions {
  /** Cancels the request. */
  signal?: AbortSignal;
  /** Overrides the transport's timeout for this request. */
  timeoutMs?: number;
}

/** Options of writes (create, update, patch, apply). */
export interface WriteOptions extends CallOptions {
  /** Sends `dryRun=All`: the server validates and answers without persisting. */
  dryRun?: boolean;
  /** The field manager recorded in `managedFields`. Default: the client's `fieldManager`. */
  fieldManager?: string;
  /** `fieldValidation`: `Strict` rejects unknown fields, `Warn` reports them. Default: server default. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** The patch flavours the API server accepts. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** Options of {@link KubeClient.patch}. */
export interface PatchOptions extends WriteOptions {
  /** Default: `merge`. */
  type?: PatchType;
  /** Patch a subresource, e.g. `status`. */
  subresource?: string;
  /** Server-side apply only: take ownership of conflicting fields. Default: false. */
  force?: boolean;
}

/** Options of {@link KubeClient.apply}. */
export interface ApplyOptions extends WriteOptions {
  /** Take ownership of fields other managers own. Default: false. */
  force?: boolean;
  /** Apply to a subresource, e.g. `status`. */
  subresource?: string;
}

/** Options of {@link KubeClient.list}. */
export interface ListOptions extends CallOptions {
  /** Namespace to list in; all namespaces when absent (for namespaced kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; with it, `list` follows `continue` tokens and returns every item. Default: no paging. */
  limit?: number;
  /** With `limit`: return the first page only (e.g. to learn the collection's resourceVersion cheaply). */
  firstPageOnly?: boolean;
  /** `resourceVersion` to list at (`0` = any, from the cache). */
  resourceVersion?: string;
}

/** Options of {@link KubeClient.watch}. */
export interface WatchOptions extends CallOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version; absent = synthetic ADDED events for existing objects first. */
  resourceVersion?: string;
  /** Ask for BOOKMARK events. Default: true. */
  allowWatchBookmarks?: boolean;
  /** Server-side watch duration in seconds. Default: server default. */
  timeoutSeconds?: number;
}

/** Options of {@link KubeClient.delete}. */
export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Options of {@link createKubeClient}. */
export interface KubeClientOptions {
  /** Namespace of namespaced objects that name none. Default: `default`. */
  namespace?: string;
  /** Field manager of writes that name none. Default: `sluice`. */
  fieldManager?: string;
}

const CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * A dynamic Kubernetes client: CRUD, patches, server-side apply and watch on any kind, mapped to REST paths
 * through cached discovery. JSON only. Errors are {@link NotFoundError}, {@link ConflictError} or
 * {@link ApiError}, with messages that name the object.
 */
export class KubeClient {
  /** Discovery-backed kind → resource mapping. */
  readonly mapper: RestMapper;
  /** Namespace of namespaced objects that name none. */
  readonly namespace: string;
  /** Default field manager. */
  readonly fieldManager: string;
  readonly #transport: KubeTransport;
  readonly #preferred = new Map<string, string>();

  constructor(deps: { transport: KubeTransport }, options: KubeClientOptions = {}) {
    this.#transport = deps.transport;
    this.namespace = options.namespace ?? 'default';
    this.fieldManager = options.fieldManager ?? 'sluice';
    this.mapper = new RestMapper(async (apiVersion, signal) => {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const res = await this.#transport.request({ method: 'GET', path, ...(signal ? { signal } : {}) });
      if (res.status === 404) return undefined;
      if (res.status >= 300) throw errorFromResponse(res.status, res.body, `Cannot discover ${apiVersion}`);
      return JSON.parse(res.body.toString());
    });
  }

  /** The API server's base URL. */
  get server(): string {
    return this.#transport.server;
  }

  /** Reads one object. Throws {@link NotFoundError} when it does not exist. */
  async get<T extends KubeObject = KubeObject>(ref: ObjectRef, options: CallOptions = {}): Promise<T> {
    const m = await this.mapper.mappingFor(ref, options.signal);
    return this.#json<T>(
      'GET',
      this.#path(m, ref.namespace, ref.name),
      options,
      `Cannot get ${this.#key(m, ref)}`,
    );
  }

  /** Reads one object, or `undefined` when it does not exist. */
  async tryGet<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    options: CallOptions = {},
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(ref, options);
    } catch (err) {
      if ((err as SluiceError).code === 'NotFound') return undefined;
      throw err;
    }
  }

  /** Lists objects of a kind; follows `continue` tokens when `limit` is set. */
  async list<T extends KubeObject = KubeObject>(
    type: TypeRef,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    const m = await this.mapper.mappingFor(type, options.signal);
    const where = options.namespace ? `in namespace ${options.namespace}` : 'in all namespaces';
    const base = this.#path(m, options.namespace ?? '', undefined);
    let result: KubeList<T> | undefined;
    let token: string | undefined;
    do {
      const q = query({
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: token,
        resourceVersion: token ? undefined : options.resourceVersion,
      });
      const page = await this.#json<KubeList<T>>('GET', base + q, options, `Cannot list ${m.kind} ${where}`);
      for (const item of page.items ?? []) {
        item.apiVersion ??= m.apiVersion;
        item.kind ??= m.kind;
      }
      if (result) result.items.push(...(page.items ?? []));
      else result = { ...page, items: page.items ?? [] };
      result.metadata = { ...page.metadata };
      token = options.limit && !options.firstPageOnly ? page.metadata?.continue || undefined : undefined;
    } while (token);
    delete result!.metadata.continue;
    return result!;
  }

  /** Creates an object (POST). Throws {@link ConflictError} when it already exists. */
  async create<T extends KubeObject = KubeObject>(obj: T, options: WriteOptions = {}): Promise<T> {
    const m = await this.mapper.mappingFor(obj, options.signal);
    const path = this.#path(m, obj.metadata?.namespace, undefined) + this.#writeQuery(options);
    const subject = `Cannot create ${this.#key(m, obj.metadata ?? {})}`;
    return this.#json<T>('POST', path, options, subject, JSON.stringify(obj), 'application/json');
  }

  /** Replaces an object (PUT); a stale `resourceVersion` throws {@link ConflictError}. */
  async update<T extends KubeObject = KubeObject>(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.#put(obj, undefined, options);
  }

  /** Replaces an object's status (PUT on `/status`). */
  async updateStatus<T extends KubeObject = KubeObject>(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.#put(obj, 'status', options);
  }

  /**
   * Patches an object. `patch` is an object for merge, strategic and apply patches and an operation array
   * for JSON patches.
   */
  async patch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<T> {
    const type = options.type ?? 'merge';
    const m = await this.mapper.mappingFor(ref, options.signal);
    const fieldManager = options.fieldManager ?? (type === 'apply' ? this.fieldManager : undefined);
    const q = this.#writeQuery(
      { ...options, ...(fieldManager ? { fieldManager } : {}) },
      type === 'apply' && options.force,
    );
    const path = this.#path(m, ref.namespace, ref.name, options.subresource) + q;
    const what = options.subresource ? `${options.subresource} of ${this.#key(m, ref)}` : this.#key(m, ref);
    const verb = type === 'apply' ? 'apply' : 'patch';
    return this.#json<T>(
      'PATCH',
      path,
      options,
      `Cannot ${verb} ${what}`,
      JSON.stringify(patch),
      CONTENT_TYPES[type],
    );
  }

  /** Merge-patches (or patches with `type`) an object's status subresource. */
  async patchStatus<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    options: Omit<PatchOptions, 'subresource'> = {},
  ): Promise<T> {
    return this.patch<T>(ref, patch, { ...options, subresource: 'status' });
  }

  /** Server-side applies an object with the client's (or the given) field manager. Creates it when missing. */
  async apply<T extends KubeObject = KubeObject>(obj: KubeObject, options: ApplyOptions = {}): Promise<T> {
    const { metadata } = obj;
    if (!metadata?.name)
      throw new SluiceError('InvalidObject', `Cannot apply ${obj.kind}: metadata.name is empty`);
    const ref: ObjectRef = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: metadata.name,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    };
    return this.patch<T>(ref, obj, { ...options, type: 'apply' });
  }

  /**
   * Deletes an object. Returns the object when the server keeps it for a while (finalizers, foreground
   * deletion) or returns it, else `undefined`. Throws {@link NotFoundError} when it does not exist.
   */
  async delete<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    options: DeleteOptions = {},
  ): Promise<T | undefined> {
    const m = await this.mapper.mappingFor(ref, options.signal);
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.dryRun) body.dryRun = ['All'];
    const path = this.#path(m, ref.namespace, ref.name);
    const res = await this.#json<KubeObject>(
      'DELETE',
      path,
      options,
      `Cannot delete ${this.#key(m, ref)}`,
      JSON.stringify(body),
      'application/json',
    );
    return res && res.kind !== 'Status' ? (res as T) : undefined;
  }

  /**
   * Watches a kind. Yields events as the server streams them, decoded line by line; ends when the server
   * closes the stream; throws when the request fails or `signal` aborts. A `410 Gone` answer throws an
   * {@link ApiError} with status 410; an `ERROR` event is yielded as is.
   */
  async *watch<T extends KubeObject = KubeObject>(
    type: TypeRef,
    options: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const m = await this.mapper.mappingFor(type, options.signal);
    const q = query({
      watch: 'true',
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowWatchBookmarks === false ? undefined : 'true',
      timeoutSeconds: options.timeoutSeconds,
    });
    const path = this.#path(m, options.namespace ?? '', undefined) + q;
    const req: HttpRequest = { method: 'GET', path, ...callOpts(options) };
    const res = await this.#transport.stream(req);
    const where = options.namespace ? `in namespace ${options.namespace}` : 'in all namespaces';
    if (res.status >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c as Buffer);
      throw errorFromResponse(res.status, Buffer.concat(chunks), `Cannot watch ${m.kind} ${where}`);
    }
    try {
      for await (const event of decodeJsonLines<WatchEvent<T>>(res.body)) yield event;
    } catch (err) {
      if (options.signal?.aborted)
        throw new SluiceError('Aborted', `Watch of ${m.kind} ${where} was aborted`);
      throw new SluiceError('WatchFailed', `Watch of ${m.kind} ${where} failed: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      res.body.destroy();
    }
  }

  /** Sends a raw JSON request to a path (e.g. `/version`) and parses the answer. */
  async request<T = unknown>(
    method: HttpRequest['method'],
    path: string,
    options: CallOptions & { body?: unknown; contentType?: string } = {},
  ): Promise<T> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    return this.#json<T>(
      method,
      path,
      options,
      `Request ${method} ${path} failed`,
      body,
      options.contentType,
    );
  }

  /**
   * The server's preferred version of an API group, e.g. `apps` → `apps/v1`; `''` → `v1`. Cached. Throws
   * {@link NotFoundError} when the group is not served.
   */
  async preferredVersion(group: string, options: CallOptions = {}): Promise<string> {
    if (!group) return 'v1';
    const cached = this.#preferred.get(group);
    if (cached) return cached;
    const doc = await this.#json<{
      preferredVersion?: { groupVersion?: string };
      versions?: { groupVersion: string }[];
    }>('GET', `/apis/${encodeURIComponent(group)}`, options, `Cannot discover API group ${group}`);
    const version = doc?.preferredVersion?.groupVersion ?? doc?.versions?.[0]?.groupVersion;
    if (!version) throw new NotFoundError(`API group ${group} is not served by the API server`);
    this.#preferred.set(group, version);
    return version;
  }

  /** The mapping of a kind (resource name, scope, subresources). */
  mappingFor(type: TypeRef, signal?: AbortSignal): Promise<ResourceMapping> {
    return this.mapper.mappingFor(type, signal);
  }

  /** Closes idle connections; later requests fail. */
  close(): void {
    this.#transport.close();
  }

  async #put<T extends KubeObject>(
    obj: T,
    subresource: string | undefined,
    options: WriteOptions,
  ): Promise<T> {
    const m = await this.mapper.mappingFor(obj, options.signal);
    const name = obj.metadata?.name;
    if (!name) throw new SluiceError('InvalidObject', `Cannot update ${obj.kind}: metadata.name is empty`);
    const path = this.#path(m, obj.metadata.namespace, name, subresource) + this.#writeQuery(options);
    const key = this.#key(m, obj.metadata);
    const subject = subresource ? `Cannot update ${subresource} of ${key}` : `Cannot update ${key}`;
    return this.#json<T>('PUT', path, options, subject, JSON.stringify(obj), 'application/json');
  }

  async #json<T>(
    method: HttpRequest['method'],
    path: string,
    options: CallOptions,
    subject: string,
    body?: string,
    contentType?: string,
  ): Promise<T> {
    const res = await this.#transport.request({
      method,
      path,
      ...(body !== undefined ? { body, headers: { 'Content-Type': contentType ?? 'application/json' } } : {}),
      ...callOpts(options),
    });
    if (res.status >= 300) throw errorFromResponse(res.status, res.body, subject);
    if (res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString()) as T;
    } catch (err) {
      throw new SluiceError('InvalidResponse', `${subject}: the server answered with invalid JSON`, {
        cause: err,
      });
    }
  }

  #path(
    m: ResourceMapping,
    namespace: string | undefined,
    name: string | undefined,
    subresource?: string,
  ): string {
    let p = m.group ? `/apis/${m.group}/${m.version}` : `/api/${m.version}`;
    if (m.namespaced) {
      // Lists pass '' to mean all namespaces; single objects default to the client's namespace.
      const ns = namespace === undefined ? this.namespace : namespace;
      if (ns) p += `/namespaces/${encodeURIComponent(ns)}`;
    }
    p += `/${m.resource}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  #writeQuery(options: WriteOptions, force?: boolean): string {
    return query({
      dryRun: options.dryRun ? 'All' : undefined,
      fieldManager: options.fieldManager,
      fieldValidation: options.fieldValidation,
      force: force ? 'true' : undefined,
    });
  }

  #key(m: ResourceMapping, meta: { name?: string; namespace?: string }): string {
    const namespace = m.namespaced ? (meta.namespace ?? this.namespace) : undefined;
    return objectKey({ kind: m.kind, name: meta.name ?? '', ...(namespace ? { namespace } : {}) });
  }
}

function callOpts(options: CallOptions): Pick<HttpRequest, 'signal' | 'timeoutMs'> {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

function query(params: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    parts.push(`${k}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Creates a {@link KubeClient} over a transport. */
export function createKubeClient(
  deps: { transport: KubeTransport },
  options: KubeClientOptions = {},
): KubeClient {
  return new KubeClient(deps, options);
}

/** Options of {@link connectKube}: kubeconfig, transport and client options together. */
export interface ConnectKubeOptions extends LoadKubeConfigOptions, HttpTransportOptions {
  /** Default field manager. Default: `sluice`. */
  fieldManager?: string;
}

/**
 * Loads a kubeconfig context and returns a client over a keep-alive HTTP transport: the usual way
 * composition roots reach a cluster.
 */
export function connectKube(source: KubeConfigSource, options: ConnectKubeOptions = {}): KubeClient {
  const connection = loadKubeConfig(source, options);
  const transport = createHttpTransport(connection, options);
  return new KubeClient(
    { transport },
    {
      namespace: connection.namespace,
      ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
    },
  );
}
