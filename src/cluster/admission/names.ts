import { forbiddenCause, invalidCause, requiredCause, type StatusCause, tooLongCause } from './causes.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED_NAME_FULL_MSG =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function maxLen(value: string, max: number): string[] {
  return value.length > max ? [`must be no more than ${max} characters`] : [];
}

/** Problems of a DNS-1123 label (namespace names): `[]` when valid. */
export function isDNS1123Label(value: string): string[] {
  return [...maxLen(value, 63), ...(DNS1123_LABEL.test(value) ? [] : [DNS1123_LABEL_MSG])];
}

/** Problems of a DNS-1123 subdomain (most object names): `[]` when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  return [...maxLen(value, 253), ...(DNS1123_SUBDOMAIN.test(value) ? [] : [DNS1123_SUBDOMAIN_MSG])];
}

/** Problems of a DNS-1035 label (Service names): `[]` when valid. */
export function isDNS1035Label(value: string): string[] {
  return [...maxLen(value, 63), ...(DNS1035_LABEL.test(value) ? [] : [DNS1035_LABEL_MSG])];
}

/** Problems of a path segment name (RBAC object names): `[]` when valid. */
export function isValidPathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  const out: string[] = [];
  if (value.includes('/')) out.push("may not contain '/'");
  if (value.includes('%')) out.push("may not contain '%'");
  return out;
}

/** Problems of a qualified name (`prefix/name`, label and annotation keys): `[]` when valid. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const out: string[] = [];
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else for (const msg of isDNS1123Subdomain(prefix)) out.push(`prefix part ${msg}`);
  } else {
    return [QUALIFIED_NAME_FULL_MSG];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) out.push(QUALIFIED_NAME_MSG);
  return out;
}

/** Problems of a label value: `[]` when valid. */
export function isValidLabelValue(value: string): string[] {
  return [...maxLen(value, 63), ...(LABEL_VALUE.test(value) ? [] : [LABEL_VALUE_MSG])];
}

/** How a kind's names are validated. */
export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment';

const NAME_RULES: Readonly<Record<string, NameRule>> = {
  '/Namespace': 'label',
  '/Service': 'dns1035',
  'rbac.authorization.k8s.io/Role': 'path-segment',
  'rbac.authorization.k8s.io/ClusterRole': 'path-segment',
  'rbac.authorization.k8s.io/RoleBinding': 'path-segment',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'path-segment',
};

/** The name rule of a group/kind (DNS-1123 subdomain unless Kubernetes says otherwise). */
export function nameRuleOf(group: string, kind: string): NameRule {
  return NAME_RULES[`${group}/${kind}`] ?? 'subdomain';
}

function checkName(rule: NameRule, name: string): string[] {
  switch (rule) {
    case 'label':
      return isDNS1123Label(name);
    case 'dns1035':
      return isDNS1035Label(name);
    case 'path-segment':
      return isValidPathSegmentName(name);
    default:
      return isDNS1123Subdomain(name);
  }
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Options of {@link validateObjectMeta}. */
export interface ObjectMetaOptions {
  /** How `metadata.name` is validated. */
  nameRule: NameRule;
  /** Whether the resource is namespaced (then `metadata.namespace`, when set, must be a DNS label). */
  namespaced: boolean;
  /** Extra limit on the name length (CronJobs: 52). */
  maxNameLength?: number;
}

/**
 * Validates ObjectMeta the way the API server does: name (or generateName) per the kind's rule, namespace,
 * label keys and values, annotation keys and total size, finalizer names, owner references. Returns the causes
 * of a 422, `[]` when valid.
 */
export function validateObjectMeta(metadata: unknown, options: ObjectMetaOptions): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = isObj(metadata) ? metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  if (name === '') {
    if (generateName === '') causes.push(requiredCause('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of checkName(options.nameRule, name))
      causes.push(invalidCause('metadata.name', name, msg));
    if (options.maxNameLength !== undefined && name.length > options.maxNameLength) {
      causes.push(
        invalidCause('metadata.name', name, `must be no more than ${options.maxNameLength} characters`),
      );
    }
  }
  if (generateName !== '') {
    // A prefix may end in '-': validate it as if the dash were followed by a character.
    const masked = generateName.endsWith('-') ? `${generateName.slice(0, -1)}a` : generateName;
    for (const msg of checkName(options.nameRule, masked)) {
      causes.push(invalidCause('metadata.generateName', generateName, msg));
    }
  }
  if (options.namespaced && typeof meta.namespace === 'string' && meta.namespace !== '') {
    for (const msg of isDNS1123Label(meta.namespace))
      causes.push(invalidCause('metadata.namespace', meta.namespace, msg));
  }
  if (isObj(meta.labels)) {
    for (const [k, v] of Object.entries(meta.labels)) {
      for (const msg of isQualifiedName(k)) causes.push(invalidCause('metadata.labels', k, msg));
      if (typeof v !== 'string') continue;
      for (const msg of isValidLabelValue(v)) causes.push(invalidCause('metadata.labels', v, msg));
    }
  }
  if (isObj(meta.annotations)) {
    let size = 0;
    for (const [k, v] of Object.entries(meta.annotations)) {
      for (const msg of isQualifiedName(k.toLowerCase()))
        causes.push(invalidCause('metadata.annotations', k, msg));
      size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
    }
    if (size > TOTAL_ANNOTATION_SIZE_LIMIT)
      causes.push(tooLongCause('metadata.annotations', TOTAL_ANNOTATION_SIZE_LIMIT));
  }
  if (Array.isArray(meta.finalizers)) {
    meta.finalizers.forEach((f, i) => {
      if (typeof f !== 'string') return;
      if (STANDARD_FINALIZERS.has(f)) return;
      for (const msg of isQualifiedName(f)) causes.push(invalidCause(`metadata.finalizers[${i}]`, f, msg));
    });
  }
  if (Array.isArray(meta.ownerReferences)) {
    let controllers = 0;
    for (const ref of meta.ownerReferences) {
      if (!isObj(ref)) continue;
      const field = 'metadata.ownerReferences';
      if (!ref.apiVersion)
        causes.push(invalidCause(`${field}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
      if (!ref.kind) causes.push(invalidCause(`${field}.kind`, ref.kind ?? '', 'kind must not be empty'));
      if (!ref.name) causes.push(invalidCause(`${field}.name`, ref.name ?? '', 'name must not be empty'));
      if (!ref.uid) causes.push(invalidCause(`${field}.uid`, ref.uid ?? '', 'uid must not be empty'));
      if (ref.controller === true) controllers++;
    }
    if (controllers > 1) {
      causes.push(
        forbiddenCause('metadata.ownerReferences', 'Only one reference can have Controller set to true'),
      );
    }
  }
  return causes;
}
