import { ConditionReason, ConditionType, TerminalError } from '../../src/api/index.js';
import type { EventRecorder, KubeClient, KubeObject } from '../../src/kube/index.js';
import {
  addFinalizer,
  conditions,
  createPatcher,
  handleReconcileRequest,
  isBeingDeleted,
  isSuspended,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  removeFinalizer,
} from '../../src/runtime/index.js';

/** Widget spec of the toy controller. */
export interface WidgetSpec {
  size?: number;
  /** Fail this many attempts before succeeding. */
  failTimes?: number;
  /** Reconcile again after this many ms. */
  intervalMs?: number;
  suspend?: boolean;
  /** Take the size from `data.size` of this ConfigMap in the Widget's namespace. */
  configMapRef?: string;
}

export type Widget = KubeObject & { spec?: WidgetSpec; status?: Record<string, unknown> };

export const WIDGET = { apiVersion: 'example.sluice.dev/v1', kind: 'Widget' };

/**
 * A toy reconciler in the Flux shape: get (ignore not-found) → patcher → finally summarise and patch →
 * finalizer and deletion → suspend → the step (`status.doubled = spec.size × 2`) → requeue.
 */
export class WidgetReconciler implements Reconciler {
  /** Every attempt, by key. */
  readonly attempts = new Map<string, number>();
  /** Keys whose deletion was handled. */
  readonly cleanedUp: string[] = [];
  /** Who reconciled: set by tests that run several managers. */
  readonly reconciledBy: string[] = [];

  constructor(
    private readonly kube: KubeClient,
    private readonly recorder: EventRecorder,
    private readonly identity = 'manager',
  ) {}

  async reconcile(ctx: ReconcileContext, req: ReconcileRequest): Promise<ReconcileResult | undefined> {
    const key = `${req.namespace}/${req.name}`;
    const obj = await this.kube.tryGet<Widget>({ ...WIDGET, ...req }, { signal: ctx.signal });
    if (!obj) return undefined;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    this.reconciledBy.push(`${this.identity} ${key}`);

    if (isBeingDeleted(obj)) {
      this.cleanedUp.push(key);
      await removeFinalizer(this.kube, obj);
      return undefined;
    }
    const patcher = createPatcher(this.kube, obj);
    let outcome: 'success' | 'retry' | 'stalled' = 'success';
    try {
      await addFinalizer(this.kube, obj);
      handleReconcileRequest(obj);
      if (isSuspended(obj)) {
        ctx.log.info('reconciliation is suspended');
        return undefined;
      }
      conditions.markReconciling(obj, ConditionReason.Progressing, 'Reconciliation in progress');
      const spec = { ...obj.spec };
      if (spec.configMapRef) {
        const cm = await this.kube.get({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: req.namespace,
          name: spec.configMapRef,
        });
        spec.size = Number((cm.data as Record<string, string> | undefined)?.size ?? 0);
      }
      if ((spec.size ?? 0) < 0) {
        conditions.markFalse(
          obj,
          ConditionType.Ready,
          ConditionReason.InvalidSpec,
          'spec.size must not be negative',
        );
        throw new TerminalError(`Widget/${key} is invalid: spec.size must not be negative`);
      }
      if (attempt <= (spec.failTimes ?? 0)) {
        conditions.markFalse(
          obj,
          ConditionType.Ready,
          ConditionReason.BuildFailed,
          `attempt ${attempt} failed`,
        );
        throw new Error(`Widget/${key} attempt ${attempt} failed`);
      }
      obj.status = {
        ...obj.status,
        doubled: (spec.size ?? 0) * 2,
        observedGeneration: obj.metadata.generation,
      };
      conditions.markTrue(
        obj,
        ConditionType.Ready,
        ConditionReason.Succeeded,
        `Doubled to ${(spec.size ?? 0) * 2}`,
      );
      await this.recorder.normal(obj, ConditionReason.ReconciliationSucceeded, 'Reconciliation finished');
      return spec.intervalMs ? { requeueAfterMs: spec.intervalMs } : undefined;
    } catch (err) {
      outcome = err instanceof TerminalError ? 'stalled' : 'retry';
      await this.recorder.warning(obj, ConditionReason.ReconciliationFailed, (err as Error).message);
      throw err;
    } finally {
      conditions.summarize(obj, { result: outcome });
      await patcher.patch(obj);
    }
  }
}
