import type { KubeObject } from './types.js';

/** Computes the index values of an object, e.g. the names of the Secrets it references. */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => readonly string[];

/** The cache key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function storeKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

/**
 * An in-memory cache of objects keyed by `namespace/name`, with secondary indexes. Informers fill it;
 * controllers read from it instead of asking the API server.
 */
export class ObjectStore<T extends KubeObject = KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  // index name → value → keys
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  /** The object with this namespace and name (namespace `''`/absent for cluster-scoped objects). */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.#items.get(namespace ? `${namespace}/${name}` : name);
  }

  /** The object with this {@link storeKey}. */
  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** Every cached object, optionally only those of one namespace. */
  list(namespace?: string): T[] {
    const all = [...this.#items.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata.namespace ?? '') === namespace);
  }

  /** Every cached key. */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** How many objects are cached. */
  get size(): number {
    return this.#items.size;
  }

  /** Adds an index; existing objects are indexed at once. Throws when the name is taken. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new Error(`Index ${name} already exists`);
    this.#indexers.set(name, fn);
    this.#indices.set(name, new Map());
    for (const [key, obj] of this.#items) this.#index(name, fn, key, obj);
  }

  /** The objects whose index `name` includes `value`. Throws when the index does not exist. */
  byIndex(name: string, value: string): T[] {
    const index = this.#indices.get(name);
    if (!index) throw new Error(`Index ${name} does not exist`);
    return [...(index.get(value) ?? [])].map((k) => this.#items.get(k)!).filter(Boolean);
  }

  /** Inserts or replaces an object; returns the previous one. */
  upsert(obj: T): T | undefined {
    const key = storeKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) this.#index(name, fn, key, obj);
    return old;
  }

  /** Removes an object by key; returns it. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #index(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.#indices.get(name)!;
    for (const value of fn(obj)) {
      const keys = index.get(value);
      if (keys) keys.add(key);
      else index.set(value, new Set([key]));
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
