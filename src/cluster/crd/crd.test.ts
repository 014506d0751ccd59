import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdStatus, validateCRD } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests navigate the documents freely
type Doc = Record<string, any>;

const VALID = `
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList, shortNames: [wd] }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object } }
      additionalPrinterColumns: [{ name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status' }]
`;

function crd(patch: (c: Doc) => void): object {
  const c = parse(VALID);
  patch(c);
  return c;
}

describe('validateCRD()', () => {
  it('accepts a valid CRD', () => {
    expect(validateCRD(parse(VALID))).toEqual([]);
  });

  it.each([
    [
      'a name that is not plural.group',
      (c: Doc) => {
        c.metadata.name = 'widget.example.com';
      },
      [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message: 'Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
        },
      ],
    ],
    [
      'a group without a dot',
      (c: Doc) => {
        c.spec.group = 'example';
        c.metadata.name = 'widgets.example';
      },
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.group',
          message: 'Invalid value: "example": should be a domain with at least one dot',
        },
      ],
    ],
    [
      'an unknown scope',
      (c: Doc) => {
        c.spec.scope = 'Global';
      },
      [
        {
          reason: 'FieldValueNotSupported',
          field: 'spec.scope',
          message: 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
        },
      ],
    ],
    [
      'two storage versions',
      (c: Doc) => {
        c.spec.versions.push({ ...c.spec.versions[0], name: 'v2' });
      },
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.versions',
          message: 'Invalid value: ["v1","v2"]: must have exactly one version marked as storage version',
        },
      ],
    ],
    [
      'a version without a schema',
      (c: Doc) => {
        delete c.spec.versions[0].schema;
      },
      [
        {
          reason: 'FieldValueRequired',
          field: 'spec.versions[0].schema.openAPIV3Schema',
          message: 'Required value: schemas are required',
        },
      ],
    ],
    [
      'a bad printer column',
      (c: Doc) => {
        c.spec.versions[0].additionalPrinterColumns = [{ name: 'X', type: 'float', jsonPath: '.spec[' }];
      },
      [
        {
          reason: 'FieldValueNotSupported',
          field: 'spec.versions[0].additionalPrinterColumns[0].type',
          message:
            'Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string"',
        },
        {
          reason: 'FieldValueInvalid',
          field: 'spec.versions[0].additionalPrinterColumns[0].jsonPath',
          message: 'Invalid value: ".spec[": must be a simple json path starting with .',
        },
      ],
    ],
  ])('rejects %s', (_what, patch, causes) => {
    expect(validateCRD(crd(patch))).toEqual(causes);
  });
});

describe('crdStatus()', () => {
  it('accepts the names, establishes the CRD and records stored versions', () => {
    const now = new Date('2026-01-01T00:00:00.123Z');
    const status = crdStatus(parse(VALID), { now });
    expect(status).toEqual({
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
      acceptedNames: {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        listKind: 'WidgetList',
        shortNames: ['wd'],
      },
      storedVersions: ['v1'],
    });
  });

  it('keeps earlier stored versions and condition times', () => {
    const old = crd((c) => {
      c.status = crdStatus(c, { now: new Date('2025-01-01T00:00:00Z') });
      c.status.storedVersions = ['v1beta1'];
    }) as Doc;
    const next = crd(() => {});
    const status = crdStatus(next, { old, now: new Date('2026-01-01T00:00:00Z') }) as Doc;
    expect(status.storedVersions).toEqual(['v1beta1', 'v1']);
    expect(status.conditions[0].lastTransitionTime).toBe('2025-01-01T00:00:00Z');
  });
});
