/**
 * Simulated nodes and workload controllers of the embedded cluster. They stand in for the scheduler, the
 * kubelet and kube-controller-manager: one Ready Node, Pods scheduled onto it that start and become ready
 * (or run to completion), Deployments with their ReplicaSets, StatefulSets, DaemonSets, Jobs and bound
 * PersistentVolumeClaims, all writing status through the status subresource like the real components, so
 * health checks (kstatus, `helm --wait`, `kubectl rollout status`) see workloads progress and settle. The
 * annotations `sluice.dev/simulate-failure` and `sluice.dev/simulate-delay` make a workload fail or slow
 * down on purpose. Service cluster IPs are allocated at create by {@link createClusterIpAllocator}.
 */
export { type ClusterIpAllocator, createClusterIpAllocator } from './cluster-ip.js';
export { SIMULATE_DELAY_ANNOTATION, SIMULATE_FAILURE_ANNOTATION, type SimulatedFailure } from './context.js';
export { startWorkloads, type WorkloadSimulation, type WorkloadsOptions } from './simulation.js';
