import type { Logger } from 'pino';
import type { ObjectService } from '../handlers/index.js';

/** Annotation that makes a workload (or its pod template) fail on purpose. */
export const SIMULATE_FAILURE_ANNOTATION = 'sluice.dev/simulate-failure';
/** Annotation that changes how long a workload's pods take to become ready (a duration such as `3s`). */
export const SIMULATE_DELAY_ANNOTATION = 'sluice.dev/simulate-delay';

/** The failures {@link SIMULATE_FAILURE_ANNOTATION} accepts. */
export type SimulatedFailure =
  | 'ImagePullBackOff'
  | 'CrashLoopBackOff'
  | 'JobFailed'
  | 'ProgressDeadlineExceeded';

/** Options of {@link startWorkloads}. */
export interface WorkloadsOptions {
  /** How long a scheduled Pod takes to start and become ready (or complete). Default: 500 ms. */
  readyDelayMs?: number;
  logger?: Logger;
}

/** The running simulation. */
export interface WorkloadSimulation {
  /** Stops every controller and timer. */
  stop(): void;
}

/** Starts the simulated node and workload controllers on `service`. */
export function startWorkloads(_service: ObjectService, _options: WorkloadsOptions = {}): WorkloadSimulation {
  return { stop() {} };
}
