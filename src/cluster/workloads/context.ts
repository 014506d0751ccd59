import type { Logger } from 'pino';
import type { ObjectService } from '../handlers/index.js';
import type { ResourceType } from '../registry/index.js';
import type { KubeObject, StoredObject } from '../storage/index.js';

/** Annotation that makes a workload (or its pod template) fail on purpose; see {@link SimulatedFailure}. */
export const SIMULATE_FAILURE_ANNOTATION = 'sluice.dev/simulate-failure';
/** Annotation that changes how long a workload's pods take to start (a duration such as `3s` or `500ms`). */
export const SIMULATE_DELAY_ANNOTATION = 'sluice.dev/simulate-delay';

/** The failures {@link SIMULATE_FAILURE_ANNOTATION} accepts. */
export type SimulatedFailure =
  | 'ImagePullBackOff'
  | 'CrashLoopBackOff'
  | 'JobFailed'
  | 'ProgressDeadlineExceeded';

/** The values of {@link SIMULATE_FAILURE_ANNOTATION} that are understood. */
export const FAILURES: ReadonlySet<string> = new Set([
  'ImagePullBackOff',
  'CrashLoopBackOff',
  'JobFailed',
  'ProgressDeadlineExceeded',
]);

/** The field managers the simulated components write with, as the real ones appear in managedFields. */
export const MANAGERS = {
  controllers: 'kube-controller-manager',
  kubelet: 'kubelet',
  scheduler: 'kube-scheduler',
} as const;

/** The simulation settings that apply to one pod, resolved from it and its controllers. */
export interface Simulated {
  failure?: SimulatedFailure;
  delayMs: number;
}

/** What each reconciler gets: reads, writes and scheduling, bound to the cluster. */
export interface Context {
  readonly service: ObjectService;
  readonly nodeName: string;
  readonly delayMs: number;
  readonly log?: Logger;
  now(): number;
  /** The resource type of a built-in (`group`, `plural`). */
  type(group: string, plural: string): ResourceType;
  get(key: string): StoredObject | undefined;
  /** The objects whose controller owner reference points at `uid`. */
  children(uid: string): StoredObject[];
  /** Creates an object (as `manager`); returns it, or undefined when it already existed. */
  create(rt: ResourceType, object: KubeObject, manager: string): KubeObject | undefined;
  /** Writes `mutate(copy)` to the main resource when it changes anything. */
  update(stored: StoredObject, mutate: (object: KubeObject) => void, manager: string): void;
  /** Writes `status` through the status subresource when it differs from the stored one. */
  writeStatus(stored: StoredObject, status: KubeObject, manager: string): void;
  /** Deletes an object in the background (its dependents go through the garbage collector). */
  remove(stored: StoredObject): void;
  /** Reconciles `key` again after `ms`. */
  requeue(key: string, ms: number): void;
  /** The simulation settings of an object: its own annotations, then its controllers'. */
  simulated(object: KubeObject): Simulated;
  /** Milliseconds since the controllers first saw `id` in `phase` (0 the first time). */
  since(id: string, phase: string): number;
  /** Forgets what {@link Context.since} remembers about `id`. */
  forget(id: string): void;
  /** Allocates a load balancer address. */
  loadBalancerIP(): string;
  /** Allocates a pod IP. */
  podIP(): string;
}

/** A reconciler of one kind: converges the object under `key`. */
export type Reconciler = (ctx: Context, key: string, stored: StoredObject) => void;
