import type { KubeObject } from '../storage/index.js';

/** A status condition as the workload APIs write them. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

/** A timestamp the way Kubernetes writes them: RFC 3339, seconds precision. */
export function stamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Sets a condition in `conditions` (returning a new array), keeping `lastTransitionTime` while the status
 * stays the same and `lastUpdateTime` (when `withUpdateTime`) while reason and message stay the same, so that
 * recomputing an unchanged state produces an identical status and costs no write.
 */
export function setCondition(
  conditions: Condition[] | undefined,
  next: Pick<Condition, 'type' | 'status' | 'reason' | 'message'>,
  nowMs: number,
  options: { withUpdateTime?: boolean; withProbeTime?: boolean } = {},
): Condition[] {
  const list = Array.isArray(conditions) ? conditions : [];
  const old = list.find((c) => c.type === next.type);
  const now = stamp(nowMs);
  const same =
    old && old.reason === next.reason && old.message === next.message && old.status === next.status;
  const condition: Condition = { type: next.type, status: next.status };
  if (options.withProbeTime) condition.lastProbeTime = null;
  if (options.withUpdateTime) condition.lastUpdateTime = same ? (old.lastUpdateTime ?? now) : now;
  condition.lastTransitionTime = old && old.status === next.status ? (old.lastTransitionTime ?? now) : now;
  if (next.reason !== undefined) condition.reason = next.reason;
  if (next.message !== undefined) condition.message = next.message;
  const out = list.filter((c) => c.type !== next.type);
  const index = old ? list.indexOf(old) : out.length;
  out.splice(index, 0, condition);
  return out;
}

/** Whether the condition `type` has status True. */
export function isTrue(object: KubeObject | undefined, type: string): boolean {
  const conditions: Condition[] = object?.status?.conditions ?? [];
  return conditions.some((c) => c.type === type && c.status === 'True');
}

const SAFE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash of a pod template as controllers use it for `pod-template-hash` and `controller-revision-hash`:
 * FNV-1a (32 bit) over the template (keys sorted) and the collision count, written as its decimal digits
 * mapped onto the alphabet Kubernetes uses for generated names (no vowels, no look-alikes).
 */
export function templateHash(template: unknown, collisionCount = 0): string {
  const text = stableJson(template) + (collisionCount ? String(collisionCount) : '');
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash)].map((d) => SAFE_CHARS[d.charCodeAt(0) % SAFE_CHARS.length]).join('');
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration (`500ms`, `3s`, `1m30s`); plain numbers are seconds. Undefined when invalid. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return text * 1000;
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

/** The controller owner reference of an object, if any. */
export function controllerOf(
  object: KubeObject | undefined,
): { apiVersion: string; kind: string; name: string; uid: string } | undefined {
  const refs = object?.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  return refs.find((r) => r && r.controller === true && typeof r.uid === 'string');
}

/** An owner reference to `owner` that marks it as the controller, as workload controllers set them. */
export function controllerRef(owner: KubeObject): KubeObject {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether the labels of `object` satisfy a LabelSelector (matchLabels and matchExpressions). */
export function matchesSelector(
  selector: KubeObject | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values: string[] = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
