import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectKube,
  EventRecorder,
  EventStream,
  type KubeClient,
  type KubeObject,
  type RecordedEvent,
} from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

let tc: TestCluster;
let kube: KubeClient;

beforeAll(async () => {
  tc = await startTestCluster();
  kube = connectKube({ path: tc.kubeconfigPath });
  await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'events' } });
});

afterAll(async () => {
  kube?.close();
  await tc?.stop();
});

describe('EventRecorder', () => {
  it('writes a core/v1 Event, aggregates repeats and publishes every event on the stream', async () => {
    const subject: KubeObject = await kube.create<KubeObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'subject',
        namespace: 'events',
        annotations: { 'event.toolkit.fluxcd.io/team': 'blue', other: 'x' },
      },
    });
    const stream = new EventStream();
    const published: RecordedEvent[] = [];
    stream.subscribe((e) => published.push(e));
    const recorder = new EventRecorder(
      { kube, stream },
      { reportingController: 'kustomize-controller', reportingInstance: 'pod-1' },
    );
    await recorder.normal(subject, 'ReconciliationSucceeded', 'Reconciliation finished', {
      'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:abc',
    });
    await recorder.normal(subject, 'ReconciliationSucceeded', 'Reconciliation finished', {
      'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:abc',
    });
    await recorder.warning(subject, 'BuildFailed', 'kustomize build failed');
    await recorder.record(subject, {
      severity: 'trace',
      reason: 'Progressing',
      message: 'only for notifications',
    });

    expect(published.map((e) => [e.severity, e.reason])).toEqual([
      ['info', 'ReconciliationSucceeded'],
      ['info', 'ReconciliationSucceeded'],
      ['error', 'BuildFailed'],
      ['trace', 'Progressing'],
    ]);
    expect(published[0]).toMatchObject({
      involvedObject: { kind: 'ConfigMap', name: 'subject', namespace: 'events', uid: subject.metadata.uid },
      metadata: {
        'event.toolkit.fluxcd.io/team': 'blue',
        'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:abc',
      },
      reportingController: 'kustomize-controller',
      reportingInstance: 'pod-1',
    });

    const events = await kube.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'events' });
    const mine = events.items.filter((e) => (e.involvedObject as { name: string }).name === 'subject');
    expect(mine.map((e) => [e.type, e.reason, e.count])).toEqual([
      ['Normal', 'ReconciliationSucceeded', 2],
      ['Warning', 'BuildFailed', 1],
    ]);
    expect(mine[0]).toMatchObject({
      source: { component: 'kustomize-controller' },
      reportingComponent: 'kustomize-controller',
      metadata: { annotations: { 'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:abc' } },
    });
  });
});
