import { describe, expect, it } from 'vitest';
import { SourceError, SourceErrorCode } from '../../source/index.js';
import { mergeValues } from '../helmchart/index.js';
import { SecretRefError } from './secrets.js';
import { fetchFailure, StepError } from './source-reconciler.js';

describe('fetchFailure()', () => {
  it.each([
    [new SourceError(SourceErrorCode.AuthenticationFailed, 'denied'), 'FetchFailed', 'AuthenticationFailed'],
    [new SourceError(SourceErrorCode.GitOperationFailed, 'no branch'), 'FetchFailed', 'GitOperationFailed'],
    [new SourceError(SourceErrorCode.FetchFailed, 'down'), 'FetchFailed', 'IndexationFailed'],
    [new SecretRefError("failed to get secret 'ns/x'"), 'FetchFailed', 'AuthenticationFailed'],
    [
      new SourceError(SourceErrorCode.StorageOperationFailed, 'disk'),
      'StorageOperationFailed',
      'ArchiveOperationFailed',
    ],
  ])('maps %s to condition %s with reason %s', (err, condition, reason) => {
    const step = fetchFailure(err, 'IndexationFailed', 'failed to fetch');
    expect(step).toBeInstanceOf(StepError);
    expect(step.condition).toBe(condition);
    expect(step.reason).toBe(reason);
    expect(step.message).toBe(`failed to fetch: ${err.message}`);
  });

  it('passes a StepError through unchanged', () => {
    const step = new StepError('IncludeUnavailable', 'IncludeUnavailable', 'no artifact');
    expect(fetchFailure(step, 'Failed', 'x')).toBe(step);
  });
});

describe('mergeValues()', () => {
  it('merges maps deeply and replaces lists and scalars, later files winning', () => {
    expect(
      mergeValues(
        { a: 1, image: { repo: 'x', tag: 'v1' }, list: [1, 2] },
        { image: { tag: 'v2' }, list: [3], b: null },
      ),
    ).toEqual({ a: 1, image: { repo: 'x', tag: 'v2' }, list: [3], b: null });
  });
});
