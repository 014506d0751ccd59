import { describe, expect, it } from 'vitest';
import { StatusError } from '../http/index.js';
import { parseFieldSelector, parseLabelSelector } from './index.js';

const obj = (labels: Record<string, string>) => ({ metadata: { name: 'n', namespace: 'ns', labels } });

describe('parseLabelSelector', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['tier in (a, b)', { tier: 'b' }, true],
    ['tier in (a,b)', { tier: 'c' }, false],
    ['tier notin (a,b)', {}, true],
    ['tier notin (a,b)', { tier: 'a' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['app=web,tier in (a),!legacy', { app: 'web', tier: 'a' }, true],
    ['example.com/owner=me', { 'example.com/owner': 'me' }, true],
    ['replicas>2', { replicas: '3' }, true],
  ])('%s matches %j: %s', (selector, labels, expected) => {
    expect(parseLabelSelector(selector)!(obj(labels))).toBe(expected);
  });

  it('returns nothing for an empty selector and a 400 Status for a bad key', () => {
    expect(parseLabelSelector('')).toBeUndefined();
    expect(() => parseLabelSelector('bad key=x')).toThrow(StatusError);
  });
});

describe('parseFieldSelector', () => {
  it('matches metadata fields for every kind and kind-specific fields where the API server supports them', () => {
    expect(parseFieldSelector('metadata.name=n', 'apps', 'Deployment')!(obj({}))).toBe(true);
    expect(parseFieldSelector('metadata.namespace!=ns', '', 'ConfigMap')!(obj({}))).toBe(false);
    const event = {
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { name: 'web' },
      reason: 'Started',
    };
    expect(parseFieldSelector('involvedObject.name=web,reason=Started', '', 'Event')!(event)).toBe(true);
    const pod = { metadata: { name: 'p' }, spec: { nodeName: 'node-1' }, status: { phase: 'Running' } };
    expect(parseFieldSelector('spec.nodeName=node-1,status.phase!=Failed', '', 'Pod')!(pod)).toBe(true);
  });

  it('rejects fields the kind does not support with a 400 Status', () => {
    try {
      parseFieldSelector('spec.replicas=3', 'apps', 'Deployment');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).status).toBe(400);
      expect((err as StatusError).message).toBe('field label not supported: spec.replicas');
    }
  });
});
