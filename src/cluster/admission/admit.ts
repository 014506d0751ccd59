import { randomUUID } from 'node:crypto';
import { applyDefaults } from '../../schema/index.js';
import { validateCRD } from '../crd/index.js';
import type { ResourceType } from '../registry/index.js';
import {
  foldStringData,
  keepServiceAllocations,
  validateBuiltin,
  validateBuiltinUpdate,
} from './builtin-validation.js';
import type { StatusCause } from './causes.js';
import { nameRuleOf, validateObjectMeta } from './names.js';
import { pruneUnknownFields } from './prune.js';
import { applySchemaDefaults, validateSchema } from './structural.js';
import { checkValueTypes } from './value-types.js';

/** Options of {@link admit}. */
export interface AdmitOptions {
  operation: 'CREATE' | 'UPDATE';
  /** The stored object, for updates. */
  old?: object;
  /** How the caller treats unknown fields; admission reports them either way (and always drops them). */
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
}

/** The outcome of {@link admit}. */
export interface AdmitResult {
  /** The object to store: a pruned, defaulted copy of the input. */
  object: Record<string, unknown>;
  /** Validation problems; non-empty means 422 Invalid (see `invalidMessage` for the Status message). */
  causes: StatusCause[];
  /**
   * Fields the type does not know, as Kubernetes names them (`spec.foo`, `spec.template.spec.containers[0].bar`),
   * already dropped from `object`. Under `Strict` answer 400 with
   * `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: unknown field "spec.foo", …`;
   * under `Warn` send each as a `unknown field "spec.foo"` warning.
   */
  unknownFields: string[];
  /** Other warnings to send (deprecated versions). */
  warnings: string[];
  /**
   * Set when a built-in object does not decode into its Go type (`json: cannot unmarshal string into Go
   * struct field DeploymentSpec.spec.replicas of type int32`): answer 400 with
   * `<Kind> in version "<v>" cannot be handled as a <Kind>: <decodeError>`. Nothing else is checked then.
   */
  decodeError?: string;
}

const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const LEGACY_JOB_UID_LABEL = 'controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';

// biome-ignore lint/suspicious/noExplicitAny: admission edits arbitrary decoded JSON objects
type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(o: Obj, key: string): Obj {
  if (!isObj(o[key])) o[key] = {};
  return o[key];
}

/** Generates a Job's selector and pod template labels from its uid, as the Job strategy does on create. */
function prepareJobCreate(job: Obj): void {
  const spec = child(job, 'spec');
  if (spec.manualSelector === true) return;
  const meta = child(job, 'metadata');
  if (typeof meta.uid !== 'string' || meta.uid === '') meta.uid = randomUUID();
  const uid = meta.uid as string;
  const labelsEmpty = !isObj(meta.labels) || Object.keys(meta.labels).length === 0;
  spec.selector = { matchLabels: { [JOB_UID_LABEL]: uid } };
  const template = child(spec, 'template');
  const tmeta = child(template, 'metadata');
  const labels = child(tmeta, 'labels');
  labels[JOB_UID_LABEL] = uid;
  labels[LEGACY_JOB_UID_LABEL] = uid;
  if (typeof meta.name === 'string' && meta.name !== '') {
    labels[JOB_NAME_LABEL] = meta.name;
    labels[LEGACY_JOB_NAME_LABEL] = meta.name;
  }
  // Defaulting copies the template's labels to a Job without labels (again when read back from storage).
  if (labelsEmpty) meta.labels = { ...labels };
}

/** Keeps a Job's generated selector and labels across updates that leave them out. */
function prepareJobUpdate(job: Obj, old: Obj): void {
  const spec = child(job, 'spec');
  const oldSpec = isObj(old.spec) ? old.spec : {};
  if (spec.selector === undefined && oldSpec.selector !== undefined)
    spec.selector = structuredClone(oldSpec.selector);
  if (spec.manualSelector === undefined && oldSpec.manualSelector !== undefined)
    spec.manualSelector = oldSpec.manualSelector;
  const oldLabels = oldSpec.template?.metadata?.labels;
  if (isObj(oldLabels) && oldSpec.manualSelector !== true) {
    const labels = child(child(child(spec, 'template'), 'metadata'), 'labels');
    for (const key of [JOB_UID_LABEL, LEGACY_JOB_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_NAME_LABEL]) {
      if (labels[key] === undefined && oldLabels[key] !== undefined) labels[key] = oldLabels[key];
    }
  }
}

function prepareNamespace(ns: Obj, operation: 'CREATE' | 'UPDATE', old: Obj | undefined): void {
  const spec = child(ns, 'spec');
  if (operation === 'CREATE') {
    const finalizers: string[] = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  } else if (old) {
    // Namespace finalizers change only through the finalize subresource.
    if (isObj(old.spec) && old.spec.finalizers !== undefined)
      spec.finalizers = structuredClone(old.spec.finalizers);
    else delete spec.finalizers;
  }
}

/** Kinds whose names carry an extra length limit. */
const MAX_NAME_LENGTH: Readonly<Record<string, number>> = { 'batch/CronJob': 52 };

function isCRD(rt: ResourceType): boolean {
  return rt.group === 'apiextensions.k8s.io' && rt.kind === 'CustomResourceDefinition';
}

/**
 * Everything between decoding a request body and storing it, for one object of a resource:
 * - drops fields the type does not know (reported in `unknownFields`) and non-nullable `null`s;
 * - built-ins: the API server's defaults (src/schema `applyDefaults`), Job selectors and labels, Namespace
 *   finalizers; custom resources: the schema's `default`s;
 * - validates ObjectMeta (name per kind, namespace, labels, annotations, finalizers, owner references), the
 *   spec rules of common built-ins (workload selectors and templates, containers, Service ports, config keys)
 *   and their update rules (immutable selectors and fields), custom resources against their schema, and
 *   CRDs themselves (`validateCRD`);
 * - folds a Secret's `stringData` into `data` and keeps a Service's allocated IPs and node ports on update.
 * The input is not modified. Cheap enough to run on every write.
 */
export function admit(rt: ResourceType, obj: object, opts: AdmitOptions): AdmitResult {
  const object = structuredClone(obj) as Obj;
  const old = isObj(opts.old) ? opts.old : undefined;
  const warnings: string[] = [];
  if (rt.deprecated) {
    const gv = rt.group === '' ? rt.version : `${rt.group}/${rt.version}`;
    warnings.push(rt.deprecationWarning ?? `${gv} ${rt.kind} is deprecated`);
  }
  if (!rt.namespaced && isObj(object.metadata)) delete object.metadata.namespace;
  if (!rt.crd) {
    const decodeError = checkValueTypes(object, rt.type, rt.kind);
    if (decodeError) return { object, causes: [], unknownFields: [], warnings, decodeError };
  }

  const unknownFields = pruneUnknownFields(object, rt.type);
  const causes: StatusCause[] = [];
  if (rt.crd) {
    if (rt.schema) {
      applySchemaDefaults(rt.schema, object);
      validateSchema(rt.schema, object, '', causes);
    }
  } else {
    if (rt.group === '' && rt.kind === 'Secret') foldStringData(object);
    if (rt.group === '' && rt.kind === 'Service' && old) keepServiceAllocations(object, old);
    applyDefaults(rt.group, rt.kind, object);
    if (rt.group === 'batch' && rt.kind === 'Job') {
      if (opts.operation === 'CREATE') prepareJobCreate(object);
      else if (old) prepareJobUpdate(object, old);
    }
    if (rt.group === '' && rt.kind === 'Namespace') prepareNamespace(object, opts.operation, old);
  }
  const key = `${rt.group}/${rt.kind}`;
  causes.unshift(
    ...validateObjectMeta(object.metadata, {
      nameRule: nameRuleOf(rt.group, rt.kind),
      namespaced: rt.namespaced,
      ...(MAX_NAME_LENGTH[key] !== undefined ? { maxNameLength: MAX_NAME_LENGTH[key] } : {}),
    }),
  );
  if (!rt.crd) {
    causes.push(...validateBuiltin(rt.group, rt.kind, object));
    if (opts.operation === 'UPDATE' && old)
      causes.push(...validateBuiltinUpdate(rt.group, rt.kind, object, old));
  }
  if (isCRD(rt)) causes.push(...validateCRD(object));
  return { object, causes, unknownFields, warnings };
}
