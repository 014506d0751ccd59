import { KustomizeError } from './errors.js';
import { formatId, idEquals, idKey, type ResId, type Resource } from './resource.js';

/** An ordered collection of resources with lookup by id. */
export class ResMap {
  private items: Resource[] = [];
  private index: { byId: Map<string, Resource[]>; byName: Map<string, Resource[]> } | undefined;

  /** Drops the lookup index; call after renaming resources in place. */
  invalidate(): void {
    this.index = undefined;
  }

  private ensureIndex(): { byId: Map<string, Resource[]>; byName: Map<string, Resource[]> } {
    if (this.index) return this.index;
    const byId = new Map<string, Resource[]>();
    const byName = new Map<string, Resource[]>();
    const add = (m: Map<string, Resource[]>, k: string, r: Resource): void => {
      const l = m.get(k);
      if (!l) m.set(k, [r]);
      else if (l[l.length - 1] !== r) l.push(r);
    };
    for (const r of this.items) {
      const cur = r.curId();
      for (const id of [...r.previousIds(), cur]) add(byId, anyKey(id), r);
      add(byName, r.orgId.name, r);
      if (cur.name !== r.orgId.name) add(byName, cur.name, r);
    }
    this.index = { byId, byName };
    return this.index;
  }

  /** Resources whose original or current name is `name`. */
  byName(name: string): Resource[] {
    return this.ensureIndex().byName.get(name) ?? [];
  }

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
    this.index = undefined;
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
    this.index = undefined;
  }

  remove(r: Resource): void {
    const i = this.items.indexOf(r);
    if (i >= 0) this.items.splice(i, 1);
    this.index = undefined;
  }

  replaceAt(i: number, r: Resource): void {
    this.items[i] = r;
    this.index = undefined;
  }

  indexOf(r: Resource): number {
    return this.items.indexOf(r);
  }

  /** Resources whose current or any previous id equals `id`. */
  byAnyId(id: ResId): Resource[] {
    const out: Resource[] = [];
    for (const r of this.ensureIndex().byId.get(anyKey(id)) ?? []) {
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
    this.index = undefined;
  }
}

function anyKey(id: ResId): string {
  return `${id.group}|${id.version}|${id.kind}|${id.name}`;
}
