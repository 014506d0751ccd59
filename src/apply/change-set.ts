import type { ObjectRef } from '../kube/index.js';
import type { ObjMetadata } from './object-id.js';
import { formatObjectId, joinApiVersion } from './object-id.js';

/** What the resource manager did to one object, with Flux's words. */
export type ChangeSetAction = 'created' | 'configured' | 'unchanged' | 'deleted' | 'skipped' | 'unknown';

/** The actions that changed the cluster. */
const CHANGES: ReadonlySet<ChangeSetAction> = new Set(['created', 'configured', 'deleted']);

/** Reports whether an action changed the cluster (`created`, `configured` or `deleted`). */
export function isChange(action: ChangeSetAction): boolean {
  return CHANGES.has(action);
}

/** The outcome for one object. */
export interface ChangeSetEntry {
  /** The object's identity; namespace `''` for cluster-scoped kinds. */
  readonly objMetadata: ObjMetadata;
  /** The version of the kind applied, e.g. `v1` (Flux's `GroupVersion`, the inventory's `v`). */
  readonly version: string;
  /** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
  readonly subject: string;
  readonly action: ChangeSetAction;
}

/** Formats an entry as Flux's change log line, e.g. `Deployment/apps/podinfo configured`. */
export function formatChangeSetEntry(entry: ChangeSetEntry): string {
  return `${entry.subject} ${entry.action}`;
}

/**
 * The outcome of applying or deleting a set of objects, one entry per object in the order they were
 * handled. Its lines (`Deployment/apps/podinfo configured`) are what events and logs carry.
 */
export class ChangeSet {
  readonly entries: ChangeSetEntry[];

  constructor(entries: ChangeSetEntry[] = []) {
    this.entries = entries;
  }

  /** Adds entries at the end. */
  add(...entries: ChangeSetEntry[]): void {
    this.entries.push(...entries);
  }

  /** One line per entry, `Subject action`, joined by newlines. */
  toString(): string {
    return this.entries.map(formatChangeSetEntry).join('\n');
  }

  /** The lines of the entries that changed the cluster, the text of Flux's change set events; `''` if none. */
  changeLog(): string {
    return this.entries
      .filter((e) => isChange(e.action))
      .map(formatChangeSetEntry)
      .join('\n');
  }

  /** Reports whether any entry changed the cluster. */
  hasChanges(): boolean {
    return this.entries.some((e) => isChange(e.action));
  }

  /** Subject → action, as kustomize-controller logs it. */
  toMap(): Record<string, ChangeSetAction> {
    const out: Record<string, ChangeSetAction> = {};
    for (const e of this.entries) out[e.subject] = e.action;
    return out;
  }

  /** Action → subjects. */
  toGroupedMap(): Partial<Record<ChangeSetAction, string[]>> {
    const out: Partial<Record<ChangeSetAction, string[]>> = {};
    for (const e of this.entries) {
      const list = out[e.action] ?? [];
      list.push(e.subject);
      out[e.action] = list;
    }
    return out;
  }

  /**
   * References to the entries' objects (for {@link ResourceManager.waitForSet}); skipped entries are left
   * out unless `includeSkipped`.
   */
  toRefs(options: { includeSkipped?: boolean } = {}): ObjectRef[] {
    return this.entries
      .filter((e) => options.includeSkipped || e.action !== 'skipped')
      .map((e) => ({
        apiVersion: joinApiVersion(e.objMetadata.group, e.version),
        kind: e.objMetadata.kind,
        name: e.objMetadata.name,
        ...(e.objMetadata.namespace ? { namespace: e.objMetadata.namespace } : {}),
      }));
  }

  /** The entries' inventory ids. */
  ids(): string[] {
    return this.entries.map((e) => formatObjectId(e.objMetadata));
  }
}
