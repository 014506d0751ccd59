import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatObjectId,
  formatRevision,
  inventoryEntryOf,
  normalizeRevision,
  parseDuration,
  parseObjectId,
  parseRevision,
  revisionDigest,
  revisionsEqual,
  SluiceError,
} from './index.js';

const sha1 = '5394cb7f48332b2de7c17dd8b8384bbc84b7e738';
const sha256 = 'a'.repeat(64);

describe('revisions', () => {
  it.each([
    [`main@sha1:${sha1}`, { name: 'main', algorithm: 'sha1', hash: sha1 }],
    [`refs/pull/1/head@sha1:${sha1}`, { name: 'refs/pull/1/head', algorithm: 'sha1', hash: sha1 }],
    [`sha1:${sha1}`, { name: '', algorithm: 'sha1', hash: sha1 }],
    [`v1.0.0@sha256:${sha256}`, { name: 'v1.0.0', algorithm: 'sha256', hash: sha256 }],
    [`sha256:${sha256}`, { name: '', algorithm: 'sha256', hash: sha256 }],
    [`main/${sha1}`, { name: 'main', algorithm: 'sha1', hash: sha1 }],
    [`feature/x/${sha1}`, { name: 'feature/x', algorithm: 'sha1', hash: sha1 }],
    [sha1, { name: '', algorithm: 'sha1', hash: sha1 }],
    ['6.0.3', { name: '6.0.3', algorithm: '', hash: '' }],
    ['6.0.3+4e5cbb7b97d0', { name: '6.0.3+4e5cbb7b97d0', algorithm: '', hash: '' }],
  ])('parseRevision(%s) takes the revision apart', (text, parsed) => {
    expect(parseRevision(text)).toEqual(parsed);
  });

  it('formatRevision() and normalizeRevision() write the current forms', () => {
    expect(formatRevision({ name: 'main', algorithm: 'sha1', hash: sha1 })).toBe(`main@sha1:${sha1}`);
    expect(formatRevision({ name: '', algorithm: 'sha256', hash: sha256 })).toBe(`sha256:${sha256}`);
    expect(normalizeRevision(`main/${sha1}`)).toBe(`main@sha1:${sha1}`);
    expect(normalizeRevision(`main@sha1:${sha1}`)).toBe(`main@sha1:${sha1}`);
    expect(revisionsEqual(`main/${sha1}`, `main@sha1:${sha1}`)).toBe(true);
    expect(revisionsEqual(`dev/${sha1}`, `main@sha1:${sha1}`)).toBe(false);
    expect(revisionDigest(`main@sha1:${sha1}`)).toBe(`sha1:${sha1}`);
    expect(revisionDigest('6.0.3')).toBe('');
  });
});

describe('durations', () => {
  it.each([
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['0', 0],
    ['-2s', -2000],
    ['1us', 0.001],
  ])('parseDuration(%s) reads Go durations', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '1', '5 minutes', '1d', 'm', '.s'])('parseDuration(%j) refuses non-durations', (text) => {
    expect(() => parseDuration(text)).toThrow(SluiceError);
  });

  it.each([
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [500, '500ms'],
    [0, '0s'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [-2000, '-2s'],
    [0.0015, '1.5µs'],
  ])('formatDuration(%d) prints like Go', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('inventory ids', () => {
  it('formats and parses <namespace>_<name>_<group>_<kind>', () => {
    const id = { namespace: 'default', name: 'podinfo', group: 'apps', kind: 'Deployment' };
    expect(formatObjectId(id)).toBe('default_podinfo_apps_Deployment');
    expect(parseObjectId('default_podinfo_apps_Deployment')).toEqual(id);
    expect(parseObjectId('_apps__Namespace')).toEqual({
      namespace: '',
      name: 'apps',
      group: '',
      kind: 'Namespace',
    });
  });

  it('writes colons of RBAC names as double underscores', () => {
    const id = {
      namespace: '',
      name: 'system:viewer',
      group: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
    };
    expect(formatObjectId(id)).toBe('_system__viewer_rbac.authorization.k8s.io_ClusterRole');
    expect(parseObjectId(formatObjectId(id))).toEqual(id);
  });

  it('makes inventory entries from objects', () => {
    expect(
      inventoryEntryOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } }),
    ).toEqual({ id: 'ns_cm__ConfigMap', v: 'v1' });
    expect(
      inventoryEntryOf({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'ns' },
      }),
    ).toEqual({
      id: 'ns_d_apps_Deployment',
      v: 'v1',
    });
  });

  it('refuses ids with too few fields', () => {
    expect(() => parseObjectId('default_podinfo')).toThrow(/Invalid inventory id/);
  });
});
