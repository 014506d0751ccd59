import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { typeFromSchema } from '../../schema/index.js';
import { applyPatch, decodeFieldsV1, type ManagedFieldsEntry, updateManagedFields } from './index.js';

// Scenarios with several appliers and updaters, in the manner of structured-merge-diff's own tables.
const type = typeFromSchema(
  parse(`
type: object
properties:
  list:
    type: array
    x-kubernetes-list-type: set
    items: {type: string}
  listOfLists:
    type: array
    x-kubernetes-list-type: map
    x-kubernetes-list-map-keys: [name]
    items:
      type: object
      properties:
        name: {type: string}
        value:
          type: array
          x-kubernetes-list-type: set
          items: {type: string}
  mapOfMapsRecursive:
    type: object
    x-kubernetes-preserve-unknown-fields: true
`) as never,
);

type Op = { apply: string; object: string } | { update: string; object: string };

interface Case {
  ops: Op[];
  object: string;
  managed: Record<string, string[]>;
}

const cases: Record<string, Case> = {
  'an updater adds set items between the applied ones and the applier adds more': {
    ops: [
      { apply: 'default', object: 'list: [a, c]' },
      { update: 'controller', object: 'list: [a, b, c, d]' },
      { apply: 'default', object: 'list: [a, aprime, c, cprime]' },
    ],
    object: 'list: [a, b, aprime, c, d, cprime]',
    managed: {
      'default/Apply': ['.list[="a"]', '.list[="aprime"]', '.list[="c"]', '.list[="cprime"]'],
      'controller/Update': ['.list[="b"]', '.list[="d"]'],
    },
  },
  'an applier removing an item keeps the items another applier owns': {
    ops: [
      { apply: 'apply-one', object: 'listOfLists: [{name: a}, {name: b, value: [c]}]' },
      { apply: 'apply-two', object: 'listOfLists: [{name: b, value: [d]}]' },
      { apply: 'apply-one', object: 'listOfLists: [{name: a}]' },
    ],
    object: 'listOfLists: [{name: a}, {name: b, value: [d]}]',
    managed: {
      'apply-one/Apply': ['.listOfLists[name="a"]', '.listOfLists[name="a"].name'],
      'apply-two/Apply': [
        '.listOfLists[name="b"]',
        '.listOfLists[name="b"].name',
        '.listOfLists[name="b"].value[="d"]',
      ],
    },
  },
  'an item another applier owns keeps sub-items an updater added': {
    ops: [
      { apply: 'apply-one', object: 'listOfLists: [{name: a}, {name: b, value: [c]}]' },
      { apply: 'apply-two', object: 'listOfLists: [{name: b, value: [d]}]' },
      { update: 'controller', object: 'listOfLists: [{name: a}, {name: b, value: [c, d, e]}]' },
      { apply: 'apply-one', object: 'listOfLists: [{name: a}]' },
    ],
    object: 'listOfLists: [{name: a}, {name: b, value: [d, e]}]',
    managed: {
      'apply-one/Apply': ['.listOfLists[name="a"]', '.listOfLists[name="a"].name'],
      'apply-two/Apply': [
        '.listOfLists[name="b"]',
        '.listOfLists[name="b"].name',
        '.listOfLists[name="b"].value[="d"]',
      ],
      'controller/Update': ['.listOfLists[name="b"].value[="e"]'],
    },
  },
  'an item nobody else owns goes, with the sub-items an updater added': {
    ops: [
      { apply: 'apply-one', object: 'listOfLists: [{name: a}, {name: b, value: [c]}]' },
      { apply: 'apply-two', object: 'listOfLists: [{name: a, value: [b]}]' },
      { update: 'controller', object: 'listOfLists: [{name: a, value: [b]}, {name: b, value: [c, d]}]' },
      { apply: 'apply-one', object: 'listOfLists: [{name: a}]' },
    ],
    object: 'listOfLists: [{name: a, value: [b]}]',
    managed: {
      'apply-one/Apply': ['.listOfLists[name="a"]', '.listOfLists[name="a"].name'],
      'apply-two/Apply': [
        '.listOfLists[name="a"]',
        '.listOfLists[name="a"].name',
        '.listOfLists[name="a"].value[="b"]',
      ],
    },
  },
  'applying an item another applier owns shares it': {
    ops: [
      { apply: 'apply-one', object: 'list: [a, c]' },
      { update: 'controller', object: 'list: [a, b, c, d]' },
      { apply: 'apply-one', object: 'list: [a, b, c]' },
    ],
    object: 'list: [a, b, c, d]',
    managed: {
      'apply-one/Apply': ['.list[="a"]', '.list[="b"]', '.list[="c"]'],
      'controller/Update': ['.list[="b"]', '.list[="d"]'],
    },
  },
  'appliers and updaters of nested maps keep what someone still owns': {
    ops: [
      { apply: 'apply-one', object: 'mapOfMapsRecursive: {a: {b: null}, c: {d: null}}' },
      { apply: 'apply-two', object: 'mapOfMapsRecursive: {a: null, c: {d: null}}' },
      { update: 'controller-one', object: 'mapOfMapsRecursive: {a: {b: {c: null}}, c: {d: {e: null}}}' },
      {
        update: 'controller-two',
        object: 'mapOfMapsRecursive: {a: {b: {c: {d: null}}}, c: {d: {e: {f: null}}}}',
      },
      {
        update: 'controller-one',
        object: 'mapOfMapsRecursive: {a: {b: {c: {d: {e: null}}}}, c: {d: {e: {f: {g: null}}}}}',
      },
      { apply: 'apply-one', object: 'mapOfMapsRecursive: null' },
    ],
    object: 'mapOfMapsRecursive: {a: null, c: {d: {e: {f: {g: null}}}}}',
    managed: {
      'apply-one/Apply': ['.mapOfMapsRecursive'],
      'apply-two/Apply': ['.mapOfMapsRecursive.a', '.mapOfMapsRecursive.c', '.mapOfMapsRecursive.c.d'],
      'controller-one/Update': ['.mapOfMapsRecursive.c.d.e', '.mapOfMapsRecursive.c.d.e.f.g'],
      'controller-two/Update': ['.mapOfMapsRecursive.c.d.e.f'],
    },
  },
};

describe('several managers', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      let live: Record<string, unknown> | undefined;
      const now = () => new Date('2026-01-01T00:00:00Z');
      for (const op of c.ops) {
        const object = parse(op.object) as Record<string, unknown>;
        if ('apply' in op) {
          live = applyPatch(live, object, {
            manager: op.apply,
            force: false,
            type,
            apiVersion: 'v1',
            now,
          }).object;
        } else {
          const next = { ...object, metadata: (live as { metadata?: unknown } | undefined)?.metadata };
          live = updateManagedFields(live, next, {
            manager: op.update,
            operation: 'Update',
            type,
            apiVersion: 'v1',
            now,
          });
        }
      }
      const { metadata, ...body } = live as { metadata: { managedFields: ManagedFieldsEntry[] } };
      expect(body).toEqual(parse(c.object));
      const managed = Object.fromEntries(
        metadata.managedFields.map((e) => [
          `${e.manager}/${e.operation}`,
          decodeFieldsV1(e.fieldsV1).toStrings(),
        ]),
      );
      expect(managed).toEqual(c.managed);
    });
  }
});
