import { ConditionReason, ConditionType } from '../api/index.js';
import type { Condition } from '../kube/index.js';

/** An object that may carry `status.conditions`. */
export interface Conditioned {
  metadata: { generation?: number };
  status?: { conditions?: Condition[]; [field: string]: unknown } | undefined;
  [field: string]: unknown;
}

/** Options of the mark functions. */
export interface MarkOptions {
  /** The time written to `lastTransitionTime` when the status changes. Default: now. */
  now?: number;
}

/** Options of {@link summarize}. */
export interface SummarizeOptions extends MarkOptions {
  /**
   * The outcome of the reconcile: `success` removes `Reconciling` and `Stalled`; `retry` removes `Stalled`
   * and, when `Reconciling` is present, sets its reason to `ProgressingWithRetry`; `stalled` sets `Stalled`
   * (from `Ready`'s reason and message) and removes `Reconciling`.
   */
  result: 'success' | 'retry' | 'stalled';
  /**
   * Conditions whose True status is bad (e.g. `ArtifactOutdated`, `FetchFailed`), checked in order: the first
   * one that is True makes `Ready` False with its reason and message. `Stalled` is always included first.
   */
  negativePolarity?: readonly string[];
  /** Conditions whose False status is bad, checked after the negative ones, in order. */
  positivePolarity?: readonly string[];
}

function list(obj: Conditioned): Condition[] {
  obj.status ??= {};
  obj.status.conditions ??= [];
  return obj.status.conditions;
}

/** The condition of a type, if present. */
function get(obj: Conditioned, type: string): Condition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** True when the condition is present. */
function has(obj: Conditioned, type: string): boolean {
  return get(obj, type) !== undefined;
}

/** True when the condition is present with status True. */
function isTrue(obj: Conditioned, type: string): boolean {
  return get(obj, type)?.status === 'True';
}

/** True when the condition is present with status False. */
function isFalse(obj: Conditioned, type: string): boolean {
  return get(obj, type)?.status === 'False';
}

/** True when the condition is absent or Unknown. */
function isUnknown(obj: Conditioned, type: string): boolean {
  const c = get(obj, type);
  return !c || c.status === 'Unknown';
}

/** True when `Ready` is True and reflects the object's current generation. */
function isReady(obj: Conditioned): boolean {
  const c = get(obj, ConditionType.Ready);
  if (c?.status !== 'True') return false;
  return c.observedGeneration === undefined || obj.metadata.generation === undefined
    ? true
    : c.observedGeneration === obj.metadata.generation;
}

/**
 * Sets a condition. `lastTransitionTime` changes only when the status changes; `observedGeneration` is the
 * object's generation.
 */
function set(
  obj: Conditioned,
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  options: MarkOptions = {},
): Condition {
  const conditions = list(obj);
  const existing = conditions.find((c) => c.type === type);
  const now = new Date(options.now ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next: Condition = {
    type,
    status,
    ...(obj.metadata.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}),
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : now,
    reason,
    message,
  };
  if (existing) conditions[conditions.indexOf(existing)] = next;
  else conditions.push(next);
  return next;
}

/** Sets a condition to True. */
function markTrue(obj: Conditioned, type: string, reason: string, message: string, options?: MarkOptions) {
  return set(obj, type, 'True', reason, message, options);
}

/** Sets a condition to False. */
function markFalse(obj: Conditioned, type: string, reason: string, message: string, options?: MarkOptions) {
  return set(obj, type, 'False', reason, message, options);
}

/** Sets a condition to Unknown. */
function markUnknown(obj: Conditioned, type: string, reason: string, message: string, options?: MarkOptions) {
  return set(obj, type, 'Unknown', reason, message, options);
}

/**
 * Marks the object as being reconciled (kstatus InProgress): `Reconciling=True` and `Ready=Unknown` with the
 * same reason and message, and removes `Stalled`.
 */
function markReconciling(obj: Conditioned, reason: string, message: string, options?: MarkOptions): void {
  remove(obj, ConditionType.Stalled);
  set(obj, ConditionType.Reconciling, 'True', reason, message, options);
  set(obj, ConditionType.Ready, 'Unknown', reason, message, options);
}

/**
 * Marks the object as stalled (kstatus Failed: retrying will not help until the spec changes):
 * `Stalled=True`, `Ready=False` with the same reason and message, and removes `Reconciling`.
 */
function markStalled(obj: Conditioned, reason: string, message: string, options?: MarkOptions): void {
  remove(obj, ConditionType.Reconciling);
  set(obj, ConditionType.Stalled, 'True', reason, message, options);
  set(obj, ConditionType.Ready, 'False', reason, message, options);
}

/** Removes a condition. */
function remove(obj: Conditioned, type: string): void {
  const conditions = obj.status?.conditions;
  if (!conditions) return;
  const i = conditions.findIndex((c) => c.type === type);
  if (i >= 0) conditions.splice(i, 1);
}

/**
 * Settles the conditions at the end of a reconcile, keeping kstatus polarity: `Reconciling` and `Stalled`
 * are present only while True; `Ready` is False with the reason of the first bad condition (negative polarity
 * True, then positive polarity False), else left as the reconciler set it, else True with `Succeeded` on
 * success. Conditions are ordered Ready, Reconciling, Stalled, then the rest.
 */
function summarize(obj: Conditioned, options: SummarizeOptions): void {
  if (options.result === 'success') {
    remove(obj, ConditionType.Reconciling);
    remove(obj, ConditionType.Stalled);
  } else if (options.result === 'retry') {
    remove(obj, ConditionType.Stalled);
    const rec = get(obj, ConditionType.Reconciling);
    if (rec?.status === 'True')
      set(obj, rec.type, 'True', ConditionReason.ProgressingWithRetry, rec.message, options);
  } else {
    remove(obj, ConditionType.Reconciling);
    const ready = get(obj, ConditionType.Ready);
    if (!isTrue(obj, ConditionType.Stalled)) {
      set(
        obj,
        ConditionType.Stalled,
        'True',
        ready?.reason ?? ConditionReason.Failed,
        ready?.message ?? 'Reconciliation stalled',
        options,
      );
    }
  }
  for (const type of [ConditionType.Reconciling, ConditionType.Stalled]) {
    const c = get(obj, type);
    if (c && c.status !== 'True') remove(obj, type);
  }
  const negative = [ConditionType.Stalled, ...(options.negativePolarity ?? [])];
  let bad: Condition | undefined;
  for (const t of negative) {
    const c = get(obj, t);
    if (c?.status === 'True') {
      bad = c;
      break;
    }
  }
  if (!bad) {
    for (const t of options.positivePolarity ?? []) {
      const c = get(obj, t);
      if (c?.status === 'False') {
        bad = c;
        break;
      }
    }
  }
  if (bad) {
    set(obj, ConditionType.Ready, 'False', bad.reason, bad.message, options);
  } else if (options.result === 'success' && !has(obj, ConditionType.Ready)) {
    set(obj, ConditionType.Ready, 'True', ConditionReason.Succeeded, 'Reconciliation succeeded', options);
  } else if (options.result === 'success' && isUnknown(obj, ConditionType.Ready)) {
    set(obj, ConditionType.Ready, 'True', ConditionReason.Succeeded, 'Reconciliation succeeded', options);
  }
  const order = [ConditionType.Ready, ConditionType.Reconciling, ConditionType.Stalled] as string[];
  const rank = (t: string) => (order.includes(t) ? order.indexOf(t) : order.length);
  obj.status?.conditions?.sort((a, b) => rank(a.type) - rank(b.type));
}

/**
 * Helpers for `status.conditions` with Flux's semantics: `markTrue`, `markFalse`, `markUnknown`,
 * `markReconciling`, `markStalled`, `remove`, `summarize`, and readers `get`, `has`, `isTrue`, `isFalse`,
 * `isUnknown`, `isReady`.
 */
export const conditions = {
  get,
  has,
  isTrue,
  isFalse,
  isUnknown,
  isReady,
  set,
  markTrue,
  markFalse,
  markUnknown,
  markReconciling,
  markStalled,
  remove,
  summarize,
} as const;
