import type { JSONSchemaProps, TypeNode } from '../../schema/index.js';

/** The scale subresource of a resource: where the replica counts and the label selector live. */
export interface ScaleSubresource {
  /** JSON path of the desired replica count, e.g. `.spec.replicas`. */
  specReplicasPath: string;
  /** JSON path of the observed replica count, e.g. `.status.replicas`. */
  statusReplicasPath: string;
  /** JSON path of the serialized label selector, e.g. `.status.selector`. */
  labelSelectorPath?: string;
}

/** An `additionalPrinterColumns` entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  /** `string`, `integer`, `number`, `boolean` or `date`. */
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** One served group/version/resource: everything the server needs to know about a kind. */
export interface ResourceType {
  /** API group; `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lowercase plural, the path segment (`deployments`). */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Verbs of the main resource, sorted (`create`, `delete`, `deletecollection`, `get`, `list`, `patch`, `update`, `watch`). */
  verbs: string[];
  subresources: { status: boolean; scale?: ScaleSubresource };
  /** The version objects are stored in: built-ins store each version as is; CRDs store their storage version. */
  storageVersion: string;
  /** The navigable type of this version's objects (drives unknown-field checks, pruning, SSA). */
  type: TypeNode;
  /** The CRD's name (`<plural>.<group>`) when the resource is custom; absent for built-ins. */
  crd?: string;
  /** For custom resources: the version's `openAPIV3Schema` as written in the CRD. */
  schema?: JSONSchemaProps;
  /** For custom resources: the version's `additionalPrinterColumns` (may be empty). */
  printerColumns?: PrinterColumn[];
  /** For built-ins: the OpenAPI schema name, e.g. `io.k8s.api.apps.v1.Deployment`. */
  schemaName?: string;
  /** Whether the version is marked deprecated (CRDs) — surfaced as a warning by the handlers. */
  deprecated?: boolean;
  /** The deprecation warning of a deprecated CRD version, if the CRD sets one. */
  deprecationWarning?: string;
}

/** A group and its served versions, the preferred one first. */
export interface GroupVersions {
  group: string;
  versions: string[];
}

/** The resource types an embedded cluster serves: built-ins plus installed CRDs. */
export interface ResourceRegistry {
  /** Every served group/version/resource, built-ins first, in a stable order. */
  all(): ResourceType[];
  /** The resource served at `/apis/<group>/<version>/<plural>` (core: group `''`). */
  lookup(group: string, version: string, plural: string): ResourceType | undefined;
  /** The resource of a kind in a group/version. */
  byKind(group: string, version: string, kind: string): ResourceType | undefined;
  /** The served version of a group/kind that discovery prefers (for owner references and REST mapping). */
  preferred(group: string, kind: string): ResourceType | undefined;
  /** Groups with their served versions, preferred first; the core group `''` first. */
  groupVersions(): GroupVersions[];
  /**
   * Serves (or re-serves) the versions of an `apiextensions.k8s.io/v1` CustomResourceDefinition. Call after the
   * CRD was stored or updated; a call with an unchanged spec does not bump `generation`.
   */
  installCRD(crd: object): void;
  /** Stops serving the resources of the CRD with this name (`<plural>.<group>`). */
  removeCRD(name: string): void;
  /** Increments on every change of the served set; discovery and OpenAPI caches key on it. */
  readonly generation: number;
  /** Calls the listener after every change; returns a function that unsubscribes. */
  onChange(listener: () => void): () => void;
}

/** The parts of an `apiextensions.k8s.io/v1` CustomResourceDefinition the cluster reads. */
export interface CustomResourceDefinition {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; [key: string]: unknown };
  spec?: {
    group?: string;
    names?: {
      plural?: string;
      singular?: string;
      kind?: string;
      listKind?: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope?: string;
    versions?: CustomResourceDefinitionVersion[];
    conversion?: unknown;
    preserveUnknownFields?: boolean;
  };
  status?: Record<string, unknown>;
}

/** One version of a CustomResourceDefinition. */
export interface CustomResourceDefinitionVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: Partial<ScaleSubresource> };
  additionalPrinterColumns?: PrinterColumn[];
}
