import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { isNotFound } from './errors.js';
import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './types.js';

/** Kubernetes event types. */
export type EventType = 'Normal' | 'Warning';

/** Severity in Flux's notification vocabulary: `trace` events go to the stream only, never to Kubernetes. */
export type EventSeverity = 'trace' | 'info' | 'error';

/** The object an event is about, as in a core/v1 `ObjectReference`. */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/**
 * An event as published on the in-process {@link EventStream}, in the shape Flux controllers POST to the
 * notification intake.
 */
export interface RecordedEvent {
  involvedObject: InvolvedObject;
  severity: EventSeverity;
  /** The Kubernetes event type (`Warning` for severity `error`). */
  type: EventType;
  /** RFC 3339 time the event was recorded. */
  timestamp: string;
  message: string;
  reason: string;
  /** Event metadata: `<group>/revision` and friends, plus the object's `event.toolkit.fluxcd.io/` annotations. */
  metadata: Record<string, string>;
  reportingController: string;
  reportingInstance: string;
}

/** A listener of the {@link EventStream}. */
export type EventListener = (event: RecordedEvent) => void;

/**
 * A typed, in-process stream of recorded events; notification dispatch subscribes to it. Listeners run
 * synchronously; their exceptions are swallowed so one bad listener cannot break a recorder.
 */
export class EventStream {
  readonly #listeners = new Set<EventListener>();

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers an event to every listener. */
  publish(event: RecordedEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own business.
      }
    }
  }

  /** How many listeners are subscribed. */
  get listenerCount(): number {
    return this.#listeners.size;
  }
}

/** What to record. */
export interface EventInput {
  /** Default: `Normal`, or `Warning` when severity is `error`. */
  type?: EventType;
  /** Default: `error` for `Warning`, else `info`. */
  severity?: EventSeverity;
  /** CamelCase reason, e.g. `ReconciliationSucceeded`. */
  reason: string;
  message: string;
  /** Extra metadata (e.g. `kustomize.toolkit.fluxcd.io/revision`); stored as annotations on the Kubernetes Event. */
  metadata?: Record<string, string>;
}

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** The controller name, e.g. `kustomize-controller`. */
  reportingController: string;
  /** The instance, e.g. the pod name. Default: the host name. */
  reportingInstance?: string;
  /** Identical events within this window bump `count` on one Event instead of creating another. Default: 600 000 ms. */
  aggregateWindowMs?: number;
  /** How many distinct recent events are remembered for aggregation. Default: 4096. */
  maxTracked?: number;
  /** Write Kubernetes Events; false publishes to the stream only. Default: true. */
  writeKubernetesEvents?: boolean;
}

/** Dependencies of {@link EventRecorder}. */
export interface EventRecorderDeps {
  kube: KubeClient;
  /** Receives every recorded event. Default: none. */
  stream?: EventStream;
  /** Default: {@link systemClock}. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
}

/** Annotation prefix whose entries on an object are copied into its events' metadata. */
export const EVENT_METADATA_ANNOTATION_PREFIX = 'event.toolkit.fluxcd.io/';

interface Tracked {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  at: number;
}

/**
 * Records events about objects: as core/v1 Events (`involvedObject`, `reportingController`, metadata as
 * annotations; repeats within a window bump `count` and `lastTimestamp`) and on an in-process
 * {@link EventStream}. Recording never throws: failures to write are logged.
 */
export class EventRecorder {
  readonly #deps: EventRecorderDeps & { clock: Clock; logger: Logger };
  readonly #controller: string;
  readonly #instance: string;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #write: boolean;
  readonly #tracked = new Map<string, Tracked>();
  #seq = 0;

  constructor(deps: EventRecorderDeps, options: EventRecorderOptions) {
    if (!options.reportingController) throw new Error('EventRecorder needs a reportingController');
    this.#deps = {
      ...deps,
      clock: deps.clock ?? systemClock,
      logger: deps.logger ?? pino({ level: 'silent' }),
    };
    this.#controller = options.reportingController;
    this.#instance = options.reportingInstance ?? hostname();
    this.#windowMs = options.aggregateWindowMs ?? 600_000;
    this.#maxTracked = options.maxTracked ?? 4096;
    this.#write = options.writeKubernetesEvents ?? true;
  }

  /** Records a `Normal` event with severity `info`. */
  normal(obj: KubeObject, reason: string, message: string, metadata?: Record<string, string>): Promise<void> {
    return this.record(obj, { type: 'Normal', reason, message, ...(metadata ? { metadata } : {}) });
  }

  /** Records a `Warning` event with severity `error`. */
  warning(
    obj: KubeObject,
    reason: string,
    message: string,
    metadata?: Record<string, string>,
  ): Promise<void> {
    return this.record(obj, { type: 'Warning', reason, message, ...(metadata ? { metadata } : {}) });
  }

  /** Records an event about `obj`: publishes it on the stream, then writes (or aggregates) the Kubernetes Event. */
  async record(obj: KubeObject, input: EventInput): Promise<void> {
    const severity = input.severity ?? (input.type === 'Warning' ? 'error' : 'info');
    const type = input.type ?? (severity === 'error' ? 'Warning' : 'Normal');
    const now = this.#deps.clock.now();
    const timestamp = new Date(now).toISOString();
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
      if (k.startsWith(EVENT_METADATA_ANNOTATION_PREFIX)) metadata[k] = v;
    }
    Object.assign(metadata, input.metadata);
    const involvedObject: InvolvedObject = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name ?? '',
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
      ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
    };
    this.#deps.stream?.publish({
      involvedObject,
      severity,
      type,
      timestamp,
      message: input.message,
      reason: input.reason,
      metadata,
      reportingController: this.#controller,
      reportingInstance: this.#instance,
    });
    if (!this.#write || severity === 'trace') return;
    try {
      await this.#writeEvent(involvedObject, type, input, metadata, now, timestamp);
    } catch (err) {
      this.#deps.logger.warn(
        { err: (err as Error).message, kind: obj.kind, name: involvedObject.name, reason: input.reason },
        'cannot write event',
      );
    }
  }

  async #writeEvent(
    involved: InvolvedObject,
    type: EventType,
    input: EventInput,
    metadata: Record<string, string>,
    now: number,
    timestamp: string,
  ): Promise<void> {
    const { kube } = this.#deps;
    const namespace = involved.namespace || 'default';
    const key = [
      involved.uid ?? '',
      involved.kind,
      namespace,
      involved.name,
      type,
      input.reason,
      input.message,
    ].join('\0');
    const seen = this.#tracked.get(key);
    if (seen && now - seen.at < this.#windowMs) {
      seen.count++;
      seen.at = now;
      try {
        await kube.patch(
          { apiVersion: 'v1', kind: 'Event', namespace: seen.namespace, name: seen.name },
          { count: seen.count, lastTimestamp: timestamp },
          { type: 'merge' },
        );
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.#tracked.delete(key);
      }
    }
    const name = `${involved.name}.${(now * 1000 + (this.#seq++ % 1000)).toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, ...(Object.keys(metadata).length ? { annotations: metadata } : {}) },
      involvedObject: involved,
      reason: input.reason,
      message: input.message,
      type,
      count: 1,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      source: { component: this.#controller },
      reportingComponent: this.#controller,
      reportingInstance: this.#instance,
    };
    await kube.create(event);
    if (this.#tracked.size >= this.#maxTracked) {
      const oldest = this.#tracked.keys().next().value;
      if (oldest !== undefined) this.#tracked.delete(oldest);
    }
    this.#tracked.set(key, { name, namespace, count: 1, firstTimestamp: timestamp, at: now });
  }
}
