import type { CustomResourceDefinition } from '../registry/index.js';
import { compileJSONPath } from '../tables/index.js';

/** One problem with a CRD field (same shape as a Status cause). */
export interface CRDCause {
  reason: string;
  message: string;
  field: string;
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PRINTER_COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

function q(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
}

function invalid(field: string, value: unknown, detail: string): CRDCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${q(value)}: ${detail}`, field };
}

function required(field: string, detail?: string): CRDCause {
  return {
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
    field,
  };
}

function notSupported(field: string, value: unknown, supported: string[]): CRDCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${q(value)}: supported values: ${supported.map((s) => q(s)).join(', ')}`,
    field,
  };
}

/**
 * Validates an `apiextensions.k8s.io/v1` CustomResourceDefinition the way the API server does for the rules
 * the embedded cluster depends on: `metadata.name` = `<plural>.<group>`, a group with a dot, DNS-label names,
 * a kind, scope `Namespaced` or `Cluster`, versions with DNS-1035 names and no duplicates, exactly one storage
 * version, a structural schema (root type object) for every version, valid printer columns. Returns `[]` when
 * valid. Call after defaulting (singular and listKind).
 */
export function validateCRD(crd: CustomResourceDefinition): CRDCause[] {
  const causes: CRDCause[] = [];
  const spec = crd.spec ?? {};
  const group = spec.group ?? '';
  const names = spec.names ?? {};
  const name = crd.metadata?.name ?? '';
  if (group === '') causes.push(required('spec.group'));
  else if (!group.includes('.'))
    causes.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  else if (!DNS1123_SUBDOMAIN.test(group)) {
    causes.push(
      invalid(
        'spec.group',
        group,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    );
  }
  if (!names.plural) causes.push(required('spec.names.plural'));
  if (names.plural && group && name !== `${names.plural}.${group}`) {
    causes.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  const labelCheck = (field: string, value: string | undefined): void => {
    if (value && !DNS1123_LABEL.test(value)) {
      causes.push(
        invalid(
          field,
          value,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      );
    }
  };
  labelCheck('spec.names.plural', names.plural);
  labelCheck('spec.names.singular', names.singular);
  (names.shortNames ?? []).forEach((s, i) => {
    labelCheck(`spec.names.shortNames[${i}]`, s);
  });
  (names.categories ?? []).forEach((s, i) => {
    labelCheck(`spec.names.categories[${i}]`, s);
  });
  if (!names.kind) causes.push(required('spec.names.kind'));
  if (!names.listKind) causes.push(required('spec.names.listKind'));
  else if (names.kind && names.listKind === names.kind) {
    causes.push(invalid('spec.names.listKind', names.listKind, 'kind and listKind may not be the same'));
  }
  if (!spec.scope) causes.push(required('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  }
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0)
    causes.push(invalid('spec.versions', [], 'must have exactly one version marked as storage version'));
  const storage = versions.filter((v) => v?.storage === true).length;
  if (versions.length > 0 && storage !== 1) {
    causes.push(
      invalid(
        'spec.versions',
        versions.map((v) => v?.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  if (versions.length > 0 && !versions.some((v) => v?.served)) {
    causes.push(
      invalid(
        'spec.versions',
        versions.map((v) => v?.name),
        'must have at least one version marked as served',
      ),
    );
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const field = `spec.versions[${i}]`;
    if (!v?.name) causes.push(required(`${field}.name`));
    else {
      if (!DNS1035_LABEL.test(v.name)) {
        causes.push(
          invalid(
            `${field}.name`,
            v.name,
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
          ),
        );
      }
      if (seen.has(v.name))
        causes.push({
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: ${q(v.name)}`,
          field: `${field}.name`,
        });
      seen.add(v.name);
    }
    const schema = v?.schema?.openAPIV3Schema;
    if (!schema) causes.push(required(`${field}.schema.openAPIV3Schema`, 'schemas are required'));
    else if (schema.type === undefined) {
      causes.push(required(`${field}.schema.openAPIV3Schema.type`, 'must not be empty at the root'));
    } else if (schema.type !== 'object') {
      causes.push(invalid(`${field}.schema.openAPIV3Schema.type`, schema.type, 'must be object at the root'));
    }
    (v?.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cf = `${field}.additionalPrinterColumns[${j}]`;
      if (!c?.name) causes.push(required(`${cf}.name`));
      if (!c?.type) causes.push(required(`${cf}.type`));
      else if (!PRINTER_COLUMN_TYPES.includes(c.type))
        causes.push(notSupported(`${cf}.type`, c.type, PRINTER_COLUMN_TYPES));
      if (!c?.jsonPath) causes.push(required(`${cf}.jsonPath`));
      else {
        try {
          compileJSONPath(c.jsonPath);
        } catch {
          causes.push(invalid(`${cf}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
        }
      }
    });
    const scale = v?.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) causes.push(required(`${field}.subresources.scale.specReplicasPath`));
      if (!scale.statusReplicasPath) causes.push(required(`${field}.subresources.scale.statusReplicasPath`));
    }
  });
  return causes;
}

/** A CRD status condition. */
interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** Options of {@link crdStatus}. */
export interface CRDStatusOptions {
  /** The clock for new conditions' `lastTransitionTime`. Default: `new Date()`. */
  now?: Date;
  /** The CRD as stored before this write; its stored versions and condition times carry over. */
  old?: CustomResourceDefinition;
}

function timestamp(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/**
 * The status the API server gives a CRD it serves: `acceptedNames` (the defaulted names), conditions
 * `NamesAccepted` and `Established` True, and `storedVersions` (every storage version ever used, plus the
 * current one). Existing condition times are kept when the condition did not change, so rewriting an
 * unchanged CRD is a no-op.
 */
export function crdStatus(
  crd: CustomResourceDefinition,
  options: CRDStatusOptions = {},
): Record<string, unknown> {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const kind = names.kind ?? '';
  const acceptedNames: Record<string, unknown> = {
    plural: names.plural ?? '',
    singular: names.singular || kind.toLowerCase(),
    kind,
    listKind: names.listKind || `${kind}List`,
  };
  if (names.shortNames && names.shortNames.length > 0) acceptedNames.shortNames = [...names.shortNames];
  if (names.categories && names.categories.length > 0) acceptedNames.categories = [...names.categories];
  const stored: string[] = [];
  for (const source of [options.old?.status?.storedVersions, crd.status?.storedVersions]) {
    if (Array.isArray(source))
      for (const v of source) if (typeof v === 'string' && !stored.includes(v)) stored.push(v);
  }
  const storage = (spec.versions ?? []).find((v) => v?.storage)?.name;
  if (storage && !stored.includes(storage)) stored.push(storage);
  const previous: Condition[] = [
    ...((Array.isArray(options.old?.status?.conditions) ? options.old.status.conditions : []) as Condition[]),
    ...((Array.isArray(crd.status?.conditions) ? crd.status.conditions : []) as Condition[]),
  ];
  const now = timestamp(options.now ?? new Date());
  const condition = (type: string, reason: string, message: string): Condition => {
    const before = previous.find((c) => c?.type === type && c.status === 'True');
    return { type, status: 'True', reason, message, lastTransitionTime: before?.lastTransitionTime ?? now };
  };
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames,
    storedVersions: stored,
  };
}
