import type { KubeObject } from '../storage/index.js';

/** Fields renamed between `core/v1` Event (left) and `events.k8s.io/v1` Event (right). */
const RENAMED: readonly [string, string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

/** Whether a resource type is `events.k8s.io` Events, which share storage with `core/v1` Events. */
export function isEventsApiEvent(rt: { group: string; plural: string }): boolean {
  return rt.group === 'events.k8s.io' && rt.plural === 'events';
}

function rename(object: KubeObject, from: 0 | 1, apiVersion: string): KubeObject {
  const out: KubeObject = {};
  const map = new Map(RENAMED.map((pair) => [pair[from], pair[1 - from]!]));
  for (const [key, value] of Object.entries(object)) {
    out[map.get(key) ?? key] = value;
  }
  out.apiVersion = apiVersion;
  out.kind = 'Event';
  return out;
}

/** Converts a stored `core/v1` Event to `events.k8s.io/v1` (objects already converted pass through). */
export function coreToEventsApi(object: KubeObject, version: string): KubeObject {
  if (object.apiVersion !== 'v1') return object;
  return rename(object, 0, `events.k8s.io/${version}`);
}

/** Converts an `events.k8s.io` Event to the `core/v1` form it is stored in. */
export function eventsApiToCore(object: KubeObject): KubeObject {
  if (object.apiVersion === 'v1') return object;
  return rename(object, 1, 'v1');
}
