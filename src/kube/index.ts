/**
 * Talking to any Kubernetes API server: kubeconfig loading and authentication (client certificates, tokens,
 * exec credential plugins, in-cluster service accounts, contexts), a lean keep-alive HTTP transport, a dynamic
 * client with discovery-backed REST mapping (CRUD, patches, server-side apply, watch), informers with shared
 * caches that relist on 410, and event recording to Kubernetes Events and an in-process stream.
 */
export { type Clock, sleep, systemClock, type TimerHandle } from './clock.js';
export { apiErrorOf, errorFromResponse, isAlreadyExists, isConflict, isGone, isNotFound } from './errors.js';
export {
  EVENT_METADATA_ANNOTATION_PREFIX,
  type EventInput,
  type EventListener,
  EventRecorder,
  type EventRecorderDeps,
  type EventRecorderOptions,
  type EventSeverity,
  EventStream,
  type EventType,
  type InvolvedObject,
  type RecordedEvent,
} from './event-recorder.js';
export {
  type CacheTransform,
  Informer,
  type InformerDeps,
  InformerFactory,
  type InformerFactoryOptions,
  type InformerHandler,
  type InformerOptions,
  type InformerScope,
  stripCacheNoise,
} from './informer.js';
export {
  type ApplyOptions,
  type CallOptions,
  type ConnectKubeOptions,
  connectKube,
  createKubeClient,
  type DeleteOptions,
  KubeClient,
  type KubeClientOptions,
  type ListOptions,
  type PatchOptions,
  type PatchType,
  type WatchOptions,
  type WriteOptions,
} from './kube-client.js';
export {
  type KubeConfigSource,
  type KubeConnection,
  type KubeCredentials,
  type LoadKubeConfigOptions,
  loadKubeConfig,
} from './kubeconfig.js';
export { type IndexFunc, ObjectStore, storeKey } from './object-store.js';
export { type DiscoveryFetcher, type ResourceMapping, RestMapper } from './rest-mapper.js';
export {
  createHttpTransport,
  type HttpRequest,
  type HttpResponse,
  type HttpStreamResponse,
  type HttpTransportOptions,
  type KubeTransport,
} from './transport.js';
export {
  type Condition,
  type KubeList,
  type KubeObject,
  type KubeStatus,
  type ObjectMeta,
  type ObjectRef,
  type OwnerReference,
  objectKey,
  splitApiVersion,
  type TypeRef,
  type WatchEvent,
  type WatchEventType,
} from './types.js';
export { decodeJsonLines } from './watch-decoder.js';
