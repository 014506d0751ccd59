import { NotFoundError } from '../api/index.js';
import type { TypeRef } from './types.js';
import { splitApiVersion } from './types.js';

/** How a kind is served: its resource (plural) path, scope and verbs. */
export interface ResourceMapping {
  /** API group, `''` for core. */
  readonly group: string;
  readonly version: string;
  /** `group/version`, or `version` for core. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The lower-case plural used in URLs, e.g. `deployments`. */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** Subresources served, e.g. `status`, `scale`. */
  readonly subresources: readonly string[];
  readonly shortNames: readonly string[];
}

/** Fetches an `APIResourceList` for a group-version; `undefined` when the server does not serve it. */
export type DiscoveryFetcher = (apiVersion: string, signal?: AbortSignal) => Promise<unknown | undefined>;

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
  shortNames?: string[];
}

interface Entry {
  byKind: Map<string, ResourceMapping>;
  byResource: Map<string, ResourceMapping>;
}

/**
 * Maps kinds to REST resources through discovery (`/api/v1`, `/apis/{group}/{version}`). Fetches only the
 * group-versions asked for, caches them, and refetches a group-version when a kind is missing from it (a CRD
 * installed a moment ago). Concurrent lookups share one request.
 */
export class RestMapper {
  readonly #fetch: DiscoveryFetcher;
  readonly #cache = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<Entry>>();

  constructor(fetch: DiscoveryFetcher) {
    this.#fetch = fetch;
  }

  /** The mapping of a kind. Throws {@link NotFoundError} when the server does not serve it. */
  async mappingFor(type: TypeRef, signal?: AbortSignal): Promise<ResourceMapping> {
    let entry = this.#cache.get(type.apiVersion);
    let found = entry?.byKind.get(type.kind);
    if (found) return found;
    entry = await this.#load(type.apiVersion, signal);
    found = entry.byKind.get(type.kind);
    if (!found) {
      throw new NotFoundError(
        `Kind ${type.kind} is not served by the API server: no matches for kind "${type.kind}" in version "${type.apiVersion}"`,
      );
    }
    return found;
  }

  /** The mapping of a resource (plural) in a group-version, e.g. `('apps/v1', 'deployments')`. */
  async mappingForResource(
    apiVersion: string,
    resource: string,
    signal?: AbortSignal,
  ): Promise<ResourceMapping> {
    let found = this.#cache.get(apiVersion)?.byResource.get(resource);
    if (found) return found;
    found = (await this.#load(apiVersion, signal)).byResource.get(resource);
    if (!found) {
      throw new NotFoundError(
        `Resource ${resource} is not served by the API server in version ${apiVersion}`,
      );
    }
    return found;
  }

  /** Every resource served in a group-version (empty when the group-version is not served). */
  async resourcesOf(apiVersion: string, signal?: AbortSignal): Promise<ResourceMapping[]> {
    const entry = this.#cache.get(apiVersion) ?? (await this.#load(apiVersion, signal));
    return [...entry.byResource.values()];
  }

  /** Forgets a group-version (or everything), so the next lookup asks the server again. */
  invalidate(apiVersion?: string): void {
    if (apiVersion === undefined) this.#cache.clear();
    else this.#cache.delete(apiVersion);
  }

  #load(apiVersion: string, signal?: AbortSignal): Promise<Entry> {
    let pending = this.#pending.get(apiVersion);
    if (!pending) {
      pending = this.#fetch(apiVersion, signal)
        .then((doc) => {
          const entry = toEntry(apiVersion, doc);
          this.#cache.set(apiVersion, entry);
          return entry;
        })
        .finally(() => this.#pending.delete(apiVersion));
      this.#pending.set(apiVersion, pending);
    }
    return pending;
  }
}

function toEntry(apiVersion: string, doc: unknown): Entry {
  const entry: Entry = { byKind: new Map(), byResource: new Map() };
  const resources = ((doc as { resources?: ApiResource[] } | undefined)?.resources ?? []) as ApiResource[];
  const { group, version } = splitApiVersion(apiVersion);
  const subresources = new Map<string, string[]>();
  for (const r of resources) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const parent = r.name.slice(0, slash);
    subresources.set(parent, [...(subresources.get(parent) ?? []), r.name.slice(slash + 1)]);
  }
  for (const r of resources) {
    if (r.name.includes('/')) continue;
    const mapping: ResourceMapping = {
      group,
      version,
      apiVersion,
      kind: r.kind,
      resource: r.name,
      namespaced: r.namespaced,
      verbs: r.verbs ?? [],
      subresources: subresources.get(r.name) ?? [],
      shortNames: r.shortNames ?? [],
    };
    entry.byResource.set(r.name, mapping);
    if (!entry.byKind.has(r.kind)) entry.byKind.set(r.kind, mapping);
  }
  return entry;
}
