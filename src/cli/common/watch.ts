import type { KubeClient, KubeObject, TypeRef, WatchOptions } from '../../kube/index.js';
import type { CliIO } from './io.js';

/**
 * Watches a kind until `io.signal` fires, calling `onObject` for each added or modified object. When the
 * server ends the stream, the watch resumes from the last resourceVersion seen; when that version is gone
 * (410), it starts over, which replays the current objects.
 */
export async function watchUntilStopped<T extends KubeObject>(
  kube: KubeClient,
  type: TypeRef,
  options: Pick<WatchOptions, 'namespace' | 'fieldSelector' | 'resourceVersion'>,
  io: CliIO,
  onObject: (obj: T) => void,
): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  io.signal?.addEventListener('abort', stop);
  let resourceVersion = options.resourceVersion;
  try {
    while (!controller.signal.aborted) {
      try {
        const events = kube.watch<T>(type, {
          ...(options.namespace ? { namespace: options.namespace } : {}),
          ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
          ...(resourceVersion ? { resourceVersion } : {}),
          signal: controller.signal,
        });
        for await (const ev of events) {
          if (ev.type === 'ERROR') {
            // Usually 410 Gone: the version is too old; start over.
            resourceVersion = undefined;
            break;
          }
          if (ev.object.metadata?.resourceVersion) resourceVersion = ev.object.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') onObject(ev.object);
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        if ((err as { status?: number }).status === 410) {
          resourceVersion = undefined;
          continue;
        }
        throw err;
      }
    }
  } finally {
    io.signal?.removeEventListener('abort', stop);
  }
}
