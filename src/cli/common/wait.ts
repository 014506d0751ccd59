import { SluiceError } from '../../api/index.js';
import type { KubeClient } from '../../kube/index.js';
import type { CliIO } from './io.js';
import { type CliKind, conditionOf, type FluxObject } from './kinds.js';
import { startSpinner } from './output.js';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  timeoutMs: number;
  /** Poll interval. Default: 500 ms. */
  intervalMs?: number;
  /** The spinner's text while waiting. */
  text: string;
}

/**
 * Reads the object every `intervalMs` until `done` returns true (resolves to the object) or throws (the
 * error propagates); throws a timeout error after `timeoutMs` and an abort error when `io.signal` fires.
 */
export async function waitFor(
  kube: KubeClient,
  kind: CliKind,
  ref: { name: string; namespace: string },
  done: (obj: FluxObject) => boolean,
  io: CliIO,
  options: WaitForOptions,
): Promise<FluxObject> {
  const spinner = startSpinner(io, options.text);
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 500;
  const subject = `${kind.kind}/${ref.namespace}/${ref.name}`;
  try {
    for (;;) {
      if (io.signal?.aborted) throw new SluiceError('Aborted', `Waiting for ${subject} was interrupted`);
      const obj = await kube.tryGet<FluxObject>({ apiVersion: kind.apiVersion, kind: kind.kind, ...ref });
      if (!obj) throw new SluiceError('NotFound', `${subject} not found`);
      if (done(obj)) return obj;
      if (Date.now() >= deadline) {
        const ready = conditionOf(obj, 'Ready');
        throw new SluiceError(
          'Timeout',
          `Timed out waiting for ${subject}${ready?.message ? `: ${ready.message}` : ''}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now())));
        io.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  } finally {
    spinner.stop();
  }
}

/**
 * True once the object's controller has seen its latest generation and reported `Ready` True; throws with
 * the `Ready` message when it reported False. With `requestedAt`, `status.lastHandledReconcileAt` must match too.
 */
export function readyCheck(requestedAt?: string): (obj: FluxObject) => boolean {
  return (obj) => {
    if (requestedAt !== undefined && obj.status?.lastHandledReconcileAt !== requestedAt) return false;
    const ready = conditionOf(obj, 'Ready');
    if (!ready) return false;
    const generation = obj.metadata?.generation;
    const observed = ready.observedGeneration ?? obj.status?.observedGeneration;
    if (generation !== undefined && observed !== undefined && observed < generation) return false;
    if (ready.status === 'True') return true;
    if (ready.status === 'False' && conditionOf(obj, 'Reconciling')?.status !== 'True') {
      throw new SluiceError(
        'ReconciliationFailed',
        `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name} reconciliation failed: ${ready.message ?? ready.reason ?? 'not ready'}`,
      );
    }
    return false;
  };
}

/**
 * The time as `reconcile.fluxcd.io/requestedAt` carries it: RFC 3339 with up to nine fraction digits and
 * trailing zeros trimmed, as Go's `time.RFC3339Nano` prints it. Below the millisecond, the digits come from
 * the monotonic clock, so two requests in the same millisecond still differ.
 */
export function requestedAtNow(now = new Date(), nanos = process.hrtime.bigint()): string {
  const iso = now.toISOString();
  const ms = iso.slice(20, 23);
  const sub = String(nanos % 1_000_000n).padStart(6, '0');
  const fraction = `${ms}${sub}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}
