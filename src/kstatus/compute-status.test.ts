import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { GitRepository } from '../api/index.js';
import { computeStatus, type HealthStatus } from './index.js';

interface Case {
  yaml: string;
  status: HealthStatus;
  message: string;
}

const deployment = (status: string, spec = 'replicas: 1') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, generation: 2}
spec: {${spec}}
status: {observedGeneration: 2, ${status}}
`;

const cases: Record<string, Case> = {
  'an object being deleted is Terminating': {
    yaml: `
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, deletionTimestamp: "2024-01-01T00:00:00Z", finalizers: [x]}
`,
    status: 'Terminating',
    message: 'Resource scheduled for deletion',
  },
  'an object whose generation is not observed yet is InProgress': {
    yaml: deployment('replicas: 1', 'replicas: 1').replace('observedGeneration: 2', 'observedGeneration: 1'),
    status: 'InProgress',
    message: 'Deployment generation is 2, but latest observed generation is 1',
  },
  'Reconciling=True is InProgress with its message': {
    yaml: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, generation: 1}
status:
  observedGeneration: 1
  conditions:
    - {type: Reconciling, status: "True", reason: Progressing, message: "Running health checks"}
    - {type: Ready, status: Unknown, reason: Progressing, message: "Reconciliation in progress"}
`,
    status: 'InProgress',
    message: 'Running health checks',
  },
  'Stalled=True is Failed with its message': {
    yaml: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, generation: 1}
status:
  observedGeneration: 1
  conditions:
    - {type: Stalled, status: "True", reason: InvalidURL, message: "invalid url"}
    - {type: Ready, status: "False", reason: InvalidURL, message: "invalid url"}
`,
    status: 'Failed',
    message: 'invalid url',
  },
  'a custom resource with Ready=True is Current': {
    yaml: `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, generation: 3}
status:
  observedGeneration: 3
  conditions: [{type: Ready, status: "True", reason: InstallSucceeded, message: "Helm install succeeded"}]
`,
    status: 'Current',
    message: 'Resource is Ready',
  },
  'a custom resource with Ready=False and no Stalled is InProgress': {
    yaml: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, generation: 1}
status:
  observedGeneration: 1
  conditions: [{type: Ready, status: "False", reason: BuildFailed, message: "kustomize build failed"}]
`,
    status: 'InProgress',
    message: 'kustomize build failed',
  },
  'a custom resource without conditions is Current': {
    yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {size: 1}
`,
    status: 'Current',
    message: 'Resource is current',
  },
  'an available Deployment is Current': {
    yaml: deployment(
      'replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{type: Available, status: "True", reason: MinimumReplicasAvailable}, {type: Progressing, status: "True", reason: NewReplicaSetAvailable}]',
    ),
    status: 'Current',
    message: 'Deployment is available. Replicas: 1',
  },
  'a Deployment without replicas yet is InProgress': {
    yaml: deployment('replicas: 0', 'replicas: 3'),
    status: 'InProgress',
    message: 'Replicas: 0/3',
  },
  'a Deployment with fewer updated replicas is InProgress': {
    yaml: deployment('replicas: 3, updatedReplicas: 1', 'replicas: 3'),
    status: 'InProgress',
    message: 'Updated: 1/3',
  },
  'a Deployment with old pods terminating is InProgress': {
    yaml: deployment('replicas: 4, updatedReplicas: 3', 'replicas: 3'),
    status: 'InProgress',
    message: 'Pending termination: 1',
  },
  'a Deployment whose updated replicas are not available is InProgress': {
    yaml: deployment('replicas: 2, updatedReplicas: 2, availableReplicas: 1', 'replicas: 2'),
    status: 'InProgress',
    message: 'Available: 1/2',
  },
  'a Deployment with unready replicas is InProgress': {
    yaml: deployment(
      'replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 1',
      'replicas: 2',
    ),
    status: 'InProgress',
    message: 'Ready: 1/2',
  },
  'a Deployment with a progress deadline but no new ReplicaSet is InProgress': {
    yaml: deployment(
      'replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1',
      'replicas: 1, progressDeadlineSeconds: 600',
    ),
    status: 'InProgress',
    message: 'ReplicaSet not Available',
  },
  'a Deployment without the Available condition is InProgress': {
    yaml: deployment('replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1'),
    status: 'InProgress',
    message: 'Deployment not Available',
  },
  'a Deployment past its progress deadline is Failed': {
    yaml: deployment(
      'conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: "ReplicaSet web-1 has timed out progressing."}]',
    ),
    status: 'Failed',
    message: 'Progress deadline exceeded',
  },
  'a StatefulSet with matching revisions is Current': {
    yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, currentRevision: db-1, updateRevision: db-1}
`,
    status: 'Current',
    message: 'All replicas scheduled as expected. Replicas: 2',
  },
  'a StatefulSet mid-rollout is InProgress': {
    yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 2, currentRevision: db-1, updateRevision: db-2}
`,
    status: 'InProgress',
    message: 'Waiting for updated revision to match current',
  },
  'a StatefulSet with the OnDelete strategy is Current': {
    yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {replicas: 2, updateStrategy: {type: OnDelete}}
`,
    status: 'Current',
    message: 'StatefulSet is using the ondelete update strategy',
  },
  'a DaemonSet with every node ready is Current': {
    yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3}
`,
    status: 'Current',
    message: 'All replicas scheduled as expected. Replicas: 3',
  },
  'a DaemonSet without an observed generation is InProgress': {
    yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
`,
    status: 'InProgress',
    message: 'DaemonSet status.observedGeneration not found',
  },
  'a DaemonSet still scheduling is InProgress': {
    yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 2}
`,
    status: 'InProgress',
    message: 'Current: 2/3',
  },
  'a ReplicaSet with a replica failure is InProgress': {
    yaml: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
status: {conditions: [{type: ReplicaFailure, status: "True"}]}
`,
    status: 'InProgress',
    message: 'Replica Failure condition. Check Pods',
  },
  'an available ReplicaSet is Current': {
    yaml: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: {replicas: 2}
status: {replicas: 2, fullyLabeledReplicas: 2, availableReplicas: 2, readyReplicas: 2}
`,
    status: 'Current',
    message: 'ReplicaSet is available. Replicas: 2',
  },
  'a complete Job is Current': {
    yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status: {startTime: "2024-01-01T00:00:00Z", succeeded: 1, conditions: [{type: Complete, status: "True"}]}
`,
    status: 'Current',
    message: 'Job Completed. succeeded: 1/1',
  },
  'a failed Job is Failed': {
    yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 2}
status: {startTime: "2024-01-01T00:00:00Z", failed: 3, conditions: [{type: Failed, status: "True"}]}
`,
    status: 'Failed',
    message: 'Job Failed. failed: 3/2',
  },
  'a Job not started is InProgress': {
    yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
`,
    status: 'InProgress',
    message: 'Job not started',
  },
  'a running Job is Current': {
    yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status: {startTime: "2024-01-01T00:00:00Z", active: 1}
`,
    status: 'Current',
    message: 'Job in progress. success:0, active: 1, failed: 0',
  },
  'a ready Pod is Current': {
    yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
`,
    status: 'Current',
    message: 'Pod is Ready',
  },
  'a crash-looping Pod is Failed': {
    yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status:
  phase: Running
  conditions: [{type: Ready, status: "False"}]
  containerStatuses:
    - {name: app, state: {waiting: {reason: CrashLoopBackOff}}}
    - {name: sidecar, state: {running: {}}}
`,
    status: 'Failed',
    message: 'Containers in CrashLoop state: app',
  },
  'a succeeded Pod is Current': {
    yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Succeeded}
`,
    status: 'Current',
    message: 'Pod has completed successfully',
  },
  'a pending Pod is InProgress': {
    yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Pending}
`,
    status: 'InProgress',
    message: 'Pod is in the Pending phase',
  },
  'a Pod unschedulable for longer than the window is Failed': {
    yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p, creationTimestamp: "2024-01-01T00:00:00Z"}
status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}
`,
    status: 'Failed',
    message: 'Pod could not be scheduled',
  },
  'a bound PVC is Current': {
    yaml: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status: {phase: Bound}
`,
    status: 'Current',
    message: 'PVC is Bound',
  },
  'a pending PVC is InProgress': {
    yaml: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status: {phase: Pending}
`,
    status: 'InProgress',
    message: 'PVC is not Bound. phase: Pending',
  },
  'a LoadBalancer Service without a cluster IP is InProgress': {
    yaml: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer}
`,
    status: 'InProgress',
    message: 'ClusterIP not set. Service type: LoadBalancer',
  },
  'a ClusterIP Service is Current': {
    yaml: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.0.0.1}
`,
    status: 'Current',
    message: 'Service is ready',
  },
  'a Secret is always Current': {
    yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n',
    status: 'Current',
    message: 'Resource is always ready',
  },
  'a CronJob is always Current': {
    yaml: 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n',
    status: 'Current',
    message: 'Resource is always ready',
  },
  'a PodDisruptionBudget is Current': {
    yaml: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb}\n',
    status: 'Current',
    message: 'AllowedDisruptions has been computed.',
  },
  'an established CRD is Current': {
    yaml: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status: {conditions: [{type: NamesAccepted, status: "True"}, {type: Established, status: "True"}]}
`,
    status: 'Current',
    message: 'CRD is established',
  },
  'a CRD whose names conflict is Failed': {
    yaml: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status: {conditions: [{type: NamesAccepted, status: "False", reason: MultipleNamesNotAllowed, message: "names conflict"}]}
`,
    status: 'Failed',
    message: 'names conflict',
  },
  'a CRD being installed is InProgress': {
    yaml: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
`,
    status: 'InProgress',
    message: 'Install in progress',
  },
  'a Namespace is Current by default': {
    yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\nstatus: {phase: Active}\n',
    status: 'Current',
    message: 'Resource is current',
  },
};

describe('computeStatus()', () => {
  const now = () => new Date('2024-01-01T00:10:00Z');

  it.each(Object.entries(cases))('%s', (_name, { yaml, status, message }) => {
    expect(computeStatus(parse(yaml), { now })).toMatchObject({ status, message });
  });

  it('explains InProgress with a Reconciling condition and Failed with a Stalled one', () => {
    expect(computeStatus(parse(deployment('replicas: 0', 'replicas: 3'))).conditions).toEqual([
      { type: 'Reconciling', status: 'True', reason: 'LessReplicas', message: 'Replicas: 0/3' },
    ]);
    expect(computeStatus(parse(cases['a failed Job is Failed']!.yaml)).conditions).toEqual([
      { type: 'Stalled', status: 'True', reason: 'JobFailed', message: 'Job Failed. failed: 3/2' },
    ]);
  });

  it('takes typed Flux objects as they are', () => {
    const repo: GitRepository = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'podinfo', generation: 2 },
      spec: { interval: '1m', url: 'https://example.com/podinfo' },
      status: { observedGeneration: 1 },
    };
    expect(computeStatus(repo).message).toBe(
      'GitRepository generation is 2, but latest observed generation is 1',
    );
  });

  it('gives NotFound for a missing object', () => {
    expect(computeStatus(undefined)).toEqual({
      status: 'NotFound',
      message: 'Resource not found',
      conditions: [],
    });
  });

  it('gives Unknown for a Pod phase it does not know', () => {
    expect(computeStatus({ apiVersion: 'v1', kind: 'Pod', status: { phase: 'Weird' } }).status).toBe(
      'Unknown',
    );
  });

  it('keeps a Pod that just became unschedulable InProgress within the scheduling window', () => {
    const pod = parse(cases['a Pod unschedulable for longer than the window is Failed']!.yaml);
    expect(computeStatus(pod, { now: () => new Date('2024-01-01T00:00:05Z') })).toMatchObject({
      status: 'InProgress',
      message: 'Pod has not been scheduled',
    });
  });
});
