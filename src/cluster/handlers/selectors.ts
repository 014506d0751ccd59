import { badRequest } from '../http/index.js';
import type { KubeObject } from '../storage/index.js';

/** A parsed selector: a predicate over objects. */
export type Selector = (object: KubeObject) => boolean;

interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!=' | 'gt' | 'lt';
  values: string[];
}

const KEY = /^([a-z0-9A-Z]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(text: string): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (setMatch) {
    const values = setMatch[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { key: setMatch[1]!, op: setMatch[2] as 'in' | 'notin', values };
  }
  if (text.startsWith('!')) return { key: text.slice(1).trim(), op: '!exists', values: [] };
  const opMatch = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (opMatch) {
    const op = opMatch[2]!;
    const value = opMatch[3]!.trim();
    return {
      key: opMatch[1]!,
      op: op === '!=' ? '!=' : op === '>' ? 'gt' : op === '<' ? 'lt' : '=',
      values: [value],
    };
  }
  return { key: text, op: 'exists', values: [] };
}

/** Parses a label selector (`a=b,c!=d,e in (f,g),!h,i`); throws a 400 Status on bad syntax. */
export function parseLabelSelector(text: string | null | undefined): Selector | undefined {
  if (!text?.trim()) return undefined;
  const requirements = splitTopLevel(text).map(parseRequirement);
  for (const r of requirements) {
    if (!KEY.test(r.key)) throw badRequest(`unable to parse requirement: invalid label key "${r.key}"`);
  }
  return (object) => {
    const labels: Record<string, string> = object.metadata?.labels ?? {};
    return requirements.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      const value = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case '=':
          return has && value === r.values[0];
        case '!=':
          return !has || value !== r.values[0];
        case 'in':
          return has && r.values.includes(value!);
        case 'notin':
          return !has || !r.values.includes(value!);
        case 'gt':
          return has && Number(value) > Number(r.values[0]);
        case 'lt':
          return has && Number(value) < Number(r.values[0]);
        default:
          return false;
      }
    });
  };
}

/** Field paths every resource supports in field selectors. */
const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Extra field paths per `group/kind` (core group: `/Kind`). */
const EXTRA_FIELDS: Record<string, string[]> = {
  '/Event': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'events.k8s.io/Event': ['regarding.kind', 'regarding.namespace', 'regarding.name', 'reason', 'type'],
  '/Pod': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/Secret': ['type'],
  '/Namespace': ['status.phase'],
  '/Node': ['spec.unschedulable'],
  '/ReplicationController': ['status.replicas'],
  'apps/ReplicaSet': ['status.replicas'],
  'batch/Job': ['status.successful'],
  'certificates.k8s.io/CertificateSigningRequest': ['spec.signerName'],
};

function fieldValue(object: KubeObject, path: string): string {
  if (path === 'source' && object.kind === 'Event') return object.source?.component ?? '';
  if (path === 'status.successful') return String(object.status?.succeeded ?? 0);
  // biome-ignore lint/suspicious/noExplicitAny: walking arbitrary JSON
  let value: any = object;
  for (const part of path.split('.')) value = value?.[part];
  if (value === undefined || value === null) return path === 'spec.hostNetwork' ? 'false' : '';
  return String(value);
}

/**
 * Parses a field selector for resources of `group`/`kind`; unsupported fields are a 400 Status, as the
 * API server answers.
 */
export function parseFieldSelector(
  text: string | null | undefined,
  group: string,
  kind: string,
): Selector | undefined {
  if (!text?.trim()) return undefined;
  const allowed = new Set([...COMMON_FIELDS, ...(EXTRA_FIELDS[`${group}/${kind}`] ?? [])]);
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term) => {
      const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const field = match[1]!.trim();
      if (!allowed.has(field)) {
        throw badRequest(`field label not supported: ${field}`);
      }
      return { field, negate: match[2] === '!=', value: match[3]!.trim() };
    });
  return (object) => terms.every((t) => (fieldValue(object, t.field) === t.value) !== t.negate);
}
