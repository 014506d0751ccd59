import { KustomizeError } from './errors.js';
import { formatId, idEquals, idKey, type ResId, type Resource } from './resource.js';

/** An ordered collection of resources with lookup by id. */
export class ResMap {
  private items: Resource[] = [];

  list(): Resource[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  /** Appends a resource; its current id must be new. */
  append(r: Resource): void {
    const key = idKey(r.curId(), r.clusterScoped());
    for (const o of this.items) {
      if (idKey(o.curId(), o.clusterScoped()) === key) {
        throw new KustomizeError(
          'KustomizeConflict',
          `May not add resource with an already registered id: ${formatId(r.curId())}`,
          r.file ? { file: r.file } : undefined,
        );
      }
    }
    this.items.push(r);
  }

  /** Appends many resources, checking id uniqueness in one pass. */
  appendAll(rs: readonly Resource[]): void {
    const keys = new Set(this.items.map((o) => idKey(o.curId(), o.clusterScoped())));
    for (const r of rs) {
      const key = idKey(r.curId(), r.clusterScoped());
      if (keys.has(key)) {
        throw new KustomizeError(
          'KustomizeConflict',
          `May not add resource with an already registered id: ${formatId(r.curId())}`,
          r.file ? { file: r.file } : undefined,
        );
      }
      keys.add(key);
      this.items.push(r);
    }
  }

  remove(r: Resource): void {
    const i = this.items.indexOf(r);
    if (i >= 0) this.items.splice(i, 1);
  }

  replaceAt(i: number, r: Resource): void {
    this.items[i] = r;
  }

  indexOf(r: Resource): number {
    return this.items.indexOf(r);
  }

  /** Resources whose current or any previous id equals `id`. */
  byAnyId(id: ResId): Resource[] {
    const out: Resource[] = [];
    for (const r of this.items) {
      if (idEquals(r.curId(), id) || r.previousIds().some((p) => idEquals(p, id))) out.push(r);
    }
    return out;
  }

  /** Resources whose current id equals `id`. */
  byCurrentId(id: ResId): Resource[] {
    return this.items.filter((r) => idEquals(r.curId(), id));
  }

  setAll(rs: Resource[]): void {
    this.items = rs;
  }
}
