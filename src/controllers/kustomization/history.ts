import { createHash } from 'node:crypto';
import { formatDuration, type Kustomization } from '../../api/index.js';

/** One entry of `status.history`. */
export type HistorySnapshot = NonNullable<NonNullable<Kustomization['status']>['history']>[number];

/** How many snapshots `status.history` keeps, as in Flux. */
export const MAX_HISTORY = 5;

/** The digest (`sha256:<hex>`) of a set of objects as built for applying, from their JSON. */
export function jsonDigest(json: string): string {
  return `sha256:${createHash('sha256').update(json).digest('hex')}`;
}

/**
 * Records a reconciliation in a history, newest first, as Flux does: a snapshot with the same digest and
 * status is updated (last time, duration, count, metadata) and moved to the front; anything else becomes a
 * new snapshot at the front, and the history keeps the newest {@link MAX_HISTORY}. Returns a new array.
 */
export function recordHistory(
  history: readonly HistorySnapshot[] | undefined,
  entry: { digest: string; at: Date; durationMs: number; status: string; metadata?: Record<string, string> },
): HistorySnapshot[] {
  const at = `${entry.at.toISOString().slice(0, 19)}Z`;
  const duration = formatDuration(entry.durationMs);
  const list = [...(history ?? [])];
  const i = list.findIndex((s) => s.digest === entry.digest && s.lastReconciledStatus === entry.status);
  if (i >= 0) {
    const previous = list[i]!;
    list.splice(i, 1);
    list.unshift({
      ...previous,
      lastReconciled: at,
      lastReconciledDuration: duration,
      totalReconciliations: (previous.totalReconciliations ?? 0) + 1,
      ...(entry.metadata ? { metadata: entry.metadata } : {}),
    });
    return list;
  }
  list.unshift({
    digest: entry.digest,
    firstReconciled: at,
    lastReconciled: at,
    lastReconciledDuration: duration,
    lastReconciledStatus: entry.status,
    totalReconciliations: 1,
    ...(entry.metadata ? { metadata: entry.metadata } : {}),
  });
  return list.slice(0, MAX_HISTORY);
}
