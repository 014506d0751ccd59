import { describe, expect, it } from 'vitest';
import { type Conditioned, conditions } from './conditions.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const T1 = Date.parse('2026-01-01T00:01:00Z');

function obj(generation = 3): Conditioned {
  return { metadata: { generation } };
}

describe('conditions', () => {
  it('markTrue sets status, reason, message and observedGeneration', () => {
    const o = obj();
    conditions.markTrue(o, 'Ready', 'Succeeded', 'Applied revision: main@sha1:abc', { now: T0 });
    expect(o.status?.conditions).toEqual([
      {
        type: 'Ready',
        status: 'True',
        observedGeneration: 3,
        lastTransitionTime: '2026-01-01T00:00:00Z',
        reason: 'Succeeded',
        message: 'Applied revision: main@sha1:abc',
      },
    ]);
    expect(conditions.isReady(o)).toBe(true);
  });

  it('keeps lastTransitionTime when only the reason or message changes', () => {
    const o = obj();
    conditions.markFalse(o, 'Ready', 'BuildFailed', 'first', { now: T0 });
    conditions.markFalse(o, 'Ready', 'ArtifactFailed', 'second', { now: T1 });
    expect(conditions.get(o, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    conditions.markTrue(o, 'Ready', 'Succeeded', 'ok', { now: T1 });
    expect(conditions.get(o, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:01:00Z');
  });

  it('isReady is false when Ready reflects an older generation', () => {
    const o = obj(3);
    conditions.markTrue(o, 'Ready', 'Succeeded', 'ok');
    o.metadata.generation = 4;
    expect(conditions.isReady(o)).toBe(false);
  });

  it('markReconciling sets Reconciling True and Ready Unknown, and drops Stalled', () => {
    const o = obj();
    conditions.markStalled(o, 'InvalidSpec', 'bad');
    conditions.markReconciling(o, 'Progressing', 'Reconciliation in progress');
    expect(o.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'Unknown', 'Progressing'],
      ['Reconciling', 'True', 'Progressing'],
    ]);
  });

  it('summarize on success removes Reconciling and turns an Unknown Ready into True', () => {
    const o = obj();
    conditions.markReconciling(o, 'Progressing', 'Reconciliation in progress');
    conditions.summarize(o, { result: 'success' });
    expect(o.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Succeeded'],
    ]);
  });

  it('summarize on retry keeps Reconciling with ProgressingWithRetry and the failure on Ready', () => {
    const o = obj();
    conditions.markReconciling(o, 'Progressing', 'Reconciliation in progress');
    conditions.markFalse(o, 'Ready', 'ArtifactFailed', 'artifact not found');
    conditions.summarize(o, { result: 'retry' });
    expect(o.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'False', 'ArtifactFailed'],
      ['Reconciling', 'True', 'ProgressingWithRetry'],
    ]);
  });

  it('summarize on a stalled result sets Stalled from Ready and removes Reconciling', () => {
    const o = obj();
    conditions.markReconciling(o, 'Progressing', 'Reconciliation in progress');
    conditions.markFalse(o, 'Ready', 'InvalidSpec', 'spec.path is absolute');
    conditions.summarize(o, { result: 'stalled' });
    expect(o.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Ready', 'False', 'InvalidSpec', 'spec.path is absolute'],
      ['Stalled', 'True', 'InvalidSpec', 'spec.path is absolute'],
    ]);
  });

  it('summarize makes Ready False from the first bad condition by polarity', () => {
    const o = obj();
    conditions.markTrue(o, 'Ready', 'Succeeded', 'stored artifact');
    conditions.markTrue(o, 'ArtifactInStorage', 'Succeeded', 'stored');
    conditions.markTrue(o, 'FetchFailed', 'GitOperationFailed', 'failed to checkout');
    conditions.summarize(o, {
      result: 'retry',
      negativePolarity: ['FetchFailed', 'ArtifactOutdated'],
      positivePolarity: ['ArtifactInStorage'],
    });
    expect(conditions.get(o, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'GitOperationFailed',
      message: 'failed to checkout',
    });
  });

  it('summarize drops Reconciling and Stalled that are not True', () => {
    const o = obj();
    conditions.markFalse(o, 'Reconciling', 'x', 'y');
    conditions.markUnknown(o, 'Stalled', 'x', 'y');
    conditions.summarize(o, { result: 'retry' });
    expect(conditions.has(o, 'Reconciling')).toBe(false);
    expect(conditions.has(o, 'Stalled')).toBe(false);
  });
});
