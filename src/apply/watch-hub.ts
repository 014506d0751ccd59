import type { Logger } from 'pino';
import type { KubeClient, KubeObject, TypeRef } from '../kube/index.js';

/** Options of {@link WatchHub}. */
export interface WatchHubOptions {
  /** Narrows every watch, e.g. to objects carrying an owner label (`kustomize.toolkit.fluxcd.io/name`). */
  labelSelector?: string;
  /** How long a watch nobody follows any more stays open, for the next wait to reuse. Default: 15 s. */
  lingerMs?: number;
  /** Server-side duration of one watch request; it is renewed from where it ended. Default: 300 s. */
  watchSeconds?: number;
  logger?: Logger;
}

/** Receives the changes of the followed objects of one subscription. */
export interface WatchSubscriber {
  /** An object changed (`object`), or was deleted (`null`). */
  changed(name: string, object: KubeObject | null): void;
  /** The watch lost track (it restarted after a gap): changes may have been missed, so read again. */
  reset(): void;
}

interface Subscription {
  names: ReadonlySet<string>;
  subscriber: WatchSubscriber;
}

interface Channel {
  type: TypeRef;
  namespace: string | undefined;
  subscriptions: Set<Subscription>;
  /** Resolves once events after a known revision flow: what is read after that is never missed. */
  ready: Promise<void>;
  abort: AbortController;
  linger: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Shared watches for health waits: one watch per kind and namespace, opened when a wait first follows an
 * object of that kind there and closed when nobody has followed one for a while, whatever the number of
 * waits in flight. Waits that followed objects with a watch each would open (and, when done, tear down) one
 * connection per wait.
 */
export class WatchHub {
  readonly #kube: KubeClient;
  readonly #selector: string | undefined;
  readonly #lingerMs: number;
  readonly #watchSeconds: number;
  readonly #log: Logger | undefined;
  readonly #channels = new Map<string, Channel>();
  #closed = false;

  constructor(kube: KubeClient, options: WatchHubOptions = {}) {
    this.#kube = kube;
    this.#selector = options.labelSelector;
    this.#lingerMs = options.lingerMs ?? 15_000;
    this.#watchSeconds = options.watchSeconds ?? 300;
    this.#log = options.logger;
  }

  /**
   * Follows `names` of a kind in a namespace. Resolves, once the shared watch runs, with the function that
   * stops following: read the objects after that, and every later change reaches `subscriber`. Rejects
   * when the watch cannot start (the caller then polls).
   */
  async follow(
    type: TypeRef,
    namespace: string | undefined,
    names: ReadonlySet<string>,
    subscriber: WatchSubscriber,
  ): Promise<() => void> {
    if (this.#closed) throw new Error('The watch hub is closed');
    const key = `${type.apiVersion}|${type.kind}|${namespace ?? ''}`;
    let channel = this.#channels.get(key);
    if (!channel) {
      channel = this.#open(key, type, namespace);
      this.#channels.set(key, channel);
    }
    if (channel.linger !== undefined) {
      clearTimeout(channel.linger);
      channel.linger = undefined;
    }
    const subscription: Subscription = { names, subscriber };
    channel.subscriptions.add(subscription);
    const current = channel;
    const stop = () => {
      if (!current.subscriptions.delete(subscription) || current.subscriptions.size > 0) return;
      current.linger = setTimeout(() => this.#shut(key, current), this.#lingerMs);
      current.linger.unref?.();
    };
    try {
      await channel.ready;
    } catch (err) {
      stop();
      throw err;
    }
    return stop;
  }

  /** Closes every watch. */
  close(): void {
    this.#closed = true;
    for (const [key, channel] of this.#channels) this.#shut(key, channel);
  }

  #shut(key: string, channel: Channel): void {
    if (channel.linger !== undefined) clearTimeout(channel.linger);
    channel.abort.abort();
    if (this.#channels.get(key) === channel) this.#channels.delete(key);
  }

  #open(key: string, type: TypeRef, namespace: string | undefined): Channel {
    const abort = new AbortController();
    let markReady!: () => void;
    let failReady!: (err: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => undefined);
    const channel: Channel = { type, namespace, subscriptions: new Set(), ready, abort, linger: undefined };
    const scope = {
      ...(namespace ? { namespace } : {}),
      ...(this.#selector ? { labelSelector: this.#selector } : {}),
    };
    const deliver = (fn: (s: Subscription) => void) => {
      for (const s of [...channel.subscriptions]) {
        try {
          fn(s);
        } catch (err) {
          this.#log?.warn({ err: (err as Error).message }, 'watch subscriber failed');
        }
      }
    };
    void (async () => {
      let from: string | undefined;
      let started = false;
      let failures = 0;
      while (!abort.signal.aborted) {
        try {
          if (from === undefined) {
            // The collection's revision, cheaply: what changes after it is what the watch reports.
            const list = await this.#kube.list(type, {
              ...scope,
              limit: 1,
              firstPageOnly: true,
              signal: abort.signal,
            });
            from = list.metadata?.resourceVersion;
            if (!from) throw new Error(`The list of ${type.kind} carries no resourceVersion`);
            if (started) deliver((s) => s.subscriber.reset());
          }
          const events = this.#kube.watch(type, {
            ...scope,
            resourceVersion: from,
            allowWatchBookmarks: true,
            timeoutSeconds: this.#watchSeconds,
            signal: abort.signal,
          });
          if (!started) {
            started = true;
            markReady();
          }
          for await (const event of events) {
            failures = 0;
            if (event.type === 'ERROR') {
              // Usually 410 Gone: start again from a fresh revision, and tell the subscribers.
              from = undefined;
              break;
            }
            const rv = event.object?.metadata?.resourceVersion;
            if (rv) from = rv;
            if (event.type === 'BOOKMARK') continue;
            const name = event.object.metadata.name ?? '';
            const object = event.type === 'DELETED' ? null : event.object;
            deliver((s) => {
              if (s.names.has(name)) s.subscriber.changed(name, object);
            });
          }
        } catch (err) {
          if (abort.signal.aborted) break;
          if (!started) {
            failReady(err);
            this.#shut(key, channel);
            return;
          }
          if (channel.subscriptions.size === 0) {
            // Nobody to serve (the client may be closing): no retries.
            this.#shut(key, channel);
            return;
          }
          failures++;
          from = undefined;
          this.#log?.debug({ err: (err as Error).message, kind: type.kind, namespace }, 'watch restarts');
          await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** failures)).unref?.());
        }
      }
    })();
    return channel;
  }
}
