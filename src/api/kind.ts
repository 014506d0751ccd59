import type { Static, TSchema } from '@sinclair/typebox';
import { type OpenAPISchema, toOpenAPISchema } from './schema-kit.js';
import {
  applySchemaDefaults,
  joinPath,
  type ValidateSchemaOptions,
  type ValidationCause,
  validateSchema,
} from './validation.js';

/** The metadata every Kubernetes object carries (the fields Sluice reads or writes). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  managedFields?: unknown[];
}

/** An object of one kind: `apiVersion`, `kind`, `metadata`, `spec`, and the `status` its controller writes. */
export interface ApiObject<ApiVersion extends string, Kind extends string, Spec, Status> {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** A column `kubectl get` prints for a custom resource. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** The `apiextensions.k8s.io/v1` CustomResourceDefinition Sluice installs for a kind. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: Record<string, never> };
      additionalPrinterColumns?: PrinterColumn[];
      schema: { openAPIV3Schema: OpenAPISchema };
    }[];
  };
}

/**
 * A rule across fields, the way Flux's CRDs state them in CEL (`x-kubernetes-validations`): the CEL text
 * goes into the CRD for API servers that evaluate it, and `check` enforces the same rule in Sluice.
 */
export interface KindRule {
  /** Where the rule sits, from the root: `['spec']`, `['spec', 'kubeConfig']`. */
  at: readonly string[];
  /** The CEL expression, `self` being the value at `at`. */
  rule: string;
  /** Flux's message when the rule fails. */
  message: string;
  /** The same rule in TypeScript, run on the defaulted value at `at`. */
  check(self: Record<string, unknown>): boolean;
}

/** Everything that describes one kind; {@link defineKind} derives the rest from it. */
export interface KindSpec<Spec extends TSchema, Status extends TSchema> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  description: string;
  spec: Spec;
  status: Status;
  printerColumns: PrinterColumn[];
  rules?: KindRule[];
}

/** Options of a kind's `validate`. */
export type ValidateOptions = ValidateSchemaOptions;

/**
 * One kind, defined once: its names, the TypeBox schemas of spec and status (from which the TypeScript
 * types are derived with `Static`), the CRD, validation and defaulting.
 */
export interface KindDefinition<Spec extends TSchema, Status extends TSchema> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly apiVersion: string;
  readonly shortNames: readonly string[];
  readonly specSchema: Spec;
  readonly statusSchema: Status;
  /** The kind's `openAPIV3Schema`, plain JSON. */
  readonly openAPISchema: OpenAPISchema;
  /** The CustomResourceDefinition (a fresh copy on each call). */
  crd(): CustomResourceDefinition;
  /**
   * Checks an object of this kind: `apiVersion`, `kind`, `metadata.name`, the schema, and the kind's
   * cross-field rules. Returns the problems as data; empty when valid.
   */
  validate(obj: unknown, options?: ValidateOptions): ValidationCause[];
  /** A copy of the object with the CRD's defaults applied, as the API server would store it. */
  withDefaults<T extends { spec?: unknown }>(obj: T): T;
  /** Type witness only: the static spec type. */
  readonly _spec?: Static<Spec>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nodeAt(schema: OpenAPISchema, at: readonly string[]): OpenAPISchema | undefined {
  let node: OpenAPISchema | undefined = schema;
  for (const key of at) node = node?.properties?.[key];
  return node;
}

function valueAt(value: unknown, at: readonly string[]): unknown {
  let v = value;
  for (const key of at) v = isObject(v) ? v[key] : undefined;
  return v;
}

/** Defines a kind from its {@link KindSpec}. */
export function defineKind<Spec extends TSchema, Status extends TSchema>(
  def: KindSpec<Spec, Status>,
): KindDefinition<Spec, Status> {
  const apiVersion = `${def.group}/${def.version}`;
  const statusSchema = toOpenAPISchema(def.status);
  statusSchema.default = { observedGeneration: -1 };
  const openAPISchema: OpenAPISchema = {
    description: def.description,
    type: 'object',
    properties: {
      apiVersion: {
        description:
          'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
        type: 'string',
      },
      kind: {
        description:
          'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.',
        type: 'string',
      },
      metadata: { type: 'object' },
      spec: toOpenAPISchema(def.spec),
      status: statusSchema,
    },
  };
  for (const rule of def.rules ?? []) {
    const node = nodeAt(openAPISchema, rule.at);
    if (!node) throw new Error(`Kind ${def.kind}: rule at ${rule.at.join('.')} names no schema node`);
    node['x-kubernetes-validations'] = [
      ...(node['x-kubernetes-validations'] ?? []),
      { message: rule.message, rule: rule.rule },
    ];
  }
  const frozen = JSON.stringify(openAPISchema);

  const crd = (): CustomResourceDefinition => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${def.group}` },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        ...(def.shortNames?.length ? { shortNames: [...def.shortNames] } : {}),
        ...(def.categories?.length ? { categories: [...def.categories] } : {}),
      },
      scope: 'Namespaced',
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })),
          schema: { openAPIV3Schema: JSON.parse(frozen) as OpenAPISchema },
        },
      ],
    },
  });

  const validate = (obj: unknown, options: ValidateOptions = {}): ValidationCause[] => {
    if (!isObject(obj)) {
      return [{ code: 'FieldValueTypeInvalid', message: 'Invalid value: must be an object', path: '' }];
    }
    const causes: ValidationCause[] = [];
    if (obj.apiVersion !== apiVersion) {
      causes.push({
        code: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(obj.apiVersion ?? null)}: supported values: "${apiVersion}"`,
        path: 'apiVersion',
      });
    }
    if (obj.kind !== def.kind) {
      causes.push({
        code: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(obj.kind ?? null)}: supported values: "${def.kind}"`,
        path: 'kind',
      });
    }
    const meta = obj.metadata;
    if (!isObject(meta)) {
      causes.push({ code: 'FieldValueRequired', message: 'Required value', path: 'metadata' });
    } else if (typeof meta.name !== 'string' || meta.name === '') {
      if (typeof meta.generateName !== 'string' || meta.generateName === '') {
        causes.push({
          code: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          path: 'metadata.name',
        });
      }
    }
    const schema = JSON.parse(frozen) as OpenAPISchema;
    const props = schema.properties ?? {};
    if (obj.spec === undefined) {
      causes.push({ code: 'FieldValueRequired', message: 'Required value', path: 'spec' });
    }
    for (const key of Object.keys(obj)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const prop = props[key];
      if (!prop) {
        if (options.unknownFields ?? true) {
          causes.push({ code: 'FieldValueUnknown', message: `Unknown field "${key}"`, path: key });
        }
        continue;
      }
      causes.push(...validateSchema(prop, obj[key], key, options));
    }
    if (causes.length > 0) return causes;
    const defaulted = applySchemaDefaults(schema, obj);
    for (const rule of def.rules ?? []) {
      const self = valueAt(defaulted, rule.at);
      if (isObject(self) && !rule.check(self)) {
        causes.push({
          code: 'FieldValueInvalid',
          message: `Invalid value: ${rule.message}`,
          path: rule.at.reduce(joinPath, ''),
        });
      }
    }
    return causes;
  };

  return {
    group: def.group,
    version: def.version,
    kind: def.kind,
    plural: def.plural,
    apiVersion,
    shortNames: def.shortNames ?? [],
    specSchema: def.spec,
    statusSchema: def.status,
    get openAPISchema() {
      return JSON.parse(frozen) as OpenAPISchema;
    },
    crd,
    validate,
    withDefaults(obj) {
      return applySchemaDefaults(JSON.parse(frozen) as OpenAPISchema, obj);
    },
  };
}
