import { isObject, type JsonObject } from '../patch/index.js';
import { isClusterScoped } from './scope.js';

/** Identity of a resource: group, version, kind, name and namespace. */
export interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

/** Where a resource came from, for `buildMetadata: [originAnnotations]`. */
export interface ResourceOrigin {
  path?: string;
  repo?: string;
  ref?: string;
  configuredIn?: string;
  configuredBy?: { apiVersion: string; kind: string; name?: string; namespace?: string };
}

/** Splits `apiVersion` into group and version. */
export function splitApiVersion(apiVersion: unknown): { group: string; version: string } {
  if (typeof apiVersion !== 'string' || apiVersion === '') return { group: '', version: '' };
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The namespace kustomize compares with: empty means `default`. */
export function effectiveNamespace(ns: string): string {
  return ns === '' ? 'default' : ns;
}

/** Formats an id the way kustomize prints it: `Kind.version.group/name.namespace`. */
export function formatId(id: ResId): string {
  const gvk = [id.kind, id.version, id.group].filter((s) => s !== '').join('.');
  return `${gvk || 'noKind'}/${id.name}.${id.namespace === '' ? '[noNs]' : id.namespace}`;
}

/** A resource being built, with the bookkeeping the transformers need. */
export class Resource {
  obj: JsonObject;
  /** Ids this resource had before renames, oldest first. */
  prevIds: ResId[] = [];
  prefixes: string[] = [];
  suffixes: string[] = [];
  /** Generator behaviour: how it combines with an existing resource of the same id. */
  behavior: 'create' | 'merge' | 'replace' | undefined;
  /** A generated ConfigMap/Secret that gets the content-hash suffix at the end of the build. */
  needsHash = false;
  /** Variable references that named this resource. */
  origin: ResourceOrigin | undefined;
  /** The file the resource was read from, relative to the build root. */
  file: string | undefined;
  /** Names of the legacy vars bound to this resource where they were declared. */
  refVarNames: string[] = [];
  /** The transformers that ran on it, for `buildMetadata: [transformerAnnotations]`. */
  transformations: ResourceOrigin[] = [];

  constructor(obj: JsonObject, file?: string) {
    this.obj = obj;
    this.file = file;
  }

  /**
   * The original id: the first one recorded before a rename, else the current one (kustomize's `OrgId`,
   * so a change no transformer recorded, such as a replacement into `metadata.name`, moves it too).
   */
  get orgId(): ResId {
    return this.prevIds.length > 0 ? this.prevIds[0]! : this.curId();
  }

  get apiVersion(): string {
    return typeof this.obj.apiVersion === 'string' ? this.obj.apiVersion : '';
  }

  get kind(): string {
    return typeof this.obj.kind === 'string' ? this.obj.kind : '';
  }

  get metadata(): JsonObject {
    let m = this.obj.metadata;
    if (!isObject(m)) {
      m = {};
      this.obj.metadata = m;
    }
    return m;
  }

  get name(): string {
    const m = this.obj.metadata;
    return isObject(m) && typeof m.name === 'string' ? m.name : '';
  }

  set name(v: string) {
    this.metadata.name = v;
  }

  get namespace(): string {
    const m = this.obj.metadata;
    return isObject(m) && typeof m.namespace === 'string' ? m.namespace : '';
  }

  set namespace(v: string) {
    if (v === '') delete this.metadata.namespace;
    else this.metadata.namespace = v;
  }

  /** The current id. */
  curId(): ResId {
    const { group, version } = splitApiVersion(this.obj.apiVersion);
    return { group, version, kind: this.kind, name: this.name, namespace: this.namespace };
  }

  /** Ids before renames, or the original id when never renamed (kustomize's `PrevIds`). */
  previousIds(): ResId[] {
    return this.prevIds.length > 0 ? this.prevIds : [this.orgId];
  }

  /** Remembers the current id before a rename. */
  storePreviousId(): void {
    this.prevIds.push(this.curId());
  }

  clusterScoped(): boolean {
    const { group } = splitApiVersion(this.obj.apiVersion);
    return isClusterScoped(group, this.kind);
  }

  labels(): Record<string, string> {
    const l = this.obj.metadata && isObject(this.obj.metadata) ? this.obj.metadata.labels : undefined;
    return isObject(l) ? (l as Record<string, string>) : {};
  }

  annotations(): Record<string, string> {
    const a = this.obj.metadata && isObject(this.obj.metadata) ? this.obj.metadata.annotations : undefined;
    return isObject(a) ? (a as Record<string, string>) : {};
  }

  /** A copy with its own object and bookkeeping. */
  clone(): Resource {
    const r = new Resource(structuredClone(this.obj), this.file);
    Object.assign(r, {
      prevIds: [...this.prevIds],
      prefixes: [...this.prefixes],
      suffixes: [...this.suffixes],
      behavior: this.behavior,
      needsHash: this.needsHash,
      origin: this.origin,
      transformations: [...this.transformations],
      refVarNames: [...this.refVarNames],
    });
    return r;
  }
}

/** Key of an id for indexing; namespaces are compared effectively. */
export function idKey(id: ResId, clusterScoped: boolean): string {
  return `${id.group}|${id.version}|${id.kind}|${id.name}|${clusterScoped ? '' : effectiveNamespace(id.namespace)}`;
}

/** Reports whether two ids are equal the way kustomize compares them. */
export function idEquals(a: ResId, b: ResId): boolean {
  return (
    a.kind === b.kind &&
    a.group === b.group &&
    a.version === b.version &&
    a.name === b.name &&
    (effectiveNamespace(a.namespace) === effectiveNamespace(b.namespace) || isClusterScoped(a.group, a.kind))
  );
}

/** Writes an origin as kustomize's YAML annotation text. */
export function originText(o: ResourceOrigin, indent = ''): string {
  const lines: string[] = [];
  if (o.path !== undefined) lines.push(`path: ${o.path}`);
  if (o.repo !== undefined) lines.push(`repo: ${o.repo}`);
  if (o.ref !== undefined) lines.push(`ref: ${o.ref}`);
  if (o.configuredIn !== undefined) lines.push(`configuredIn: ${o.configuredIn}`);
  if (o.configuredBy) {
    lines.push('configuredBy:');
    const b = o.configuredBy;
    lines.push(`  apiVersion: ${b.apiVersion}`, `  kind: ${b.kind}`);
    if (b.name) lines.push(`  name: ${b.name}`);
    if (b.namespace) lines.push(`  namespace: ${b.namespace}`);
  }
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}
