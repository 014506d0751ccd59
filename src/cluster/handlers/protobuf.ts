import { badRequest, unsupportedMediaType } from '../http/index.js';
import type { KubeObject } from '../storage/index.js';
import { PROTOBUF_MESSAGES } from './protobuf-messages.js';

/** The media type of Kubernetes' protobuf encoding. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The four bytes every Kubernetes protobuf payload starts with: `k8s\0`. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Proto packages of the API groups, by group name (`''` is core). */
const GROUP_PACKAGES: Record<string, string> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  'rbac.authorization.k8s.io': 'rbac',
  policy: 'policy',
  'scheduling.k8s.io': 'scheduling',
  'networking.k8s.io': 'networking',
  'coordination.k8s.io': 'coordination',
  'storage.k8s.io': 'storage',
  'discovery.k8s.io': 'discovery',
  'events.k8s.io': 'events',
  autoscaling: 'autoscaling',
  'admissionregistration.k8s.io': 'admissionregistration',
};

interface Field {
  name: string;
  type: string;
  repeated: boolean;
  map: boolean;
  /** An embedded struct whose fields belong to the parent in JSON. */
  inline: boolean;
}

/**
 * Fields that are embedded Go structs: protobuf carries them as a nested message named after the struct,
 * while their JSON form inlines the struct's fields into the parent (`json:",inline"`).
 */
const INLINE_FIELDS = new Set([
  '^admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations',
  '^admissionregistration.v1.RuleWithOperations.rule',
  '^core.v1.ConfigMapEnvSource.localObjectReference',
  '^core.v1.ConfigMapKeySelector.localObjectReference',
  '^core.v1.ConfigMapProjection.localObjectReference',
  '^core.v1.ConfigMapVolumeSource.localObjectReference',
  '^core.v1.EphemeralContainer.ephemeralContainerCommon',
  '^core.v1.PersistentVolumeSpec.persistentVolumeSource',
  '^core.v1.Probe.handler',
  '^core.v1.SecretEnvSource.localObjectReference',
  '^core.v1.SecretKeySelector.localObjectReference',
  '^core.v1.SecretProjection.localObjectReference',
  '^core.v1.Volume.volumeSource',
  '^networking.v1.IngressRule.ingressRuleValue',
]);

const parsed = new Map<string, Map<number, Field>>();

function expand(name: string): string {
  return name.replace(/^\^/, 'k8s.io.api.').replace(/^~/, 'k8s.io.apimachinery.pkg.');
}

function shorten(name: string): string {
  return name.replace(/^k8s\.io\.api\./, '^').replace(/^k8s\.io\.apimachinery\.pkg\./, '~');
}

function fieldsOf(message: string): Map<number, Field> | undefined {
  let fields = parsed.get(message);
  if (fields) return fields;
  const spec = PROTOBUF_MESSAGES[shorten(message)];
  if (spec === undefined) return undefined;
  fields = new Map();
  for (const entry of spec.split(',')) {
    if (!entry) continue;
    const [num, name, rawType] = entry.split(':') as [string, string, string];
    const repeated = rawType.startsWith('*');
    const map = rawType.startsWith('%');
    const type = repeated || map ? rawType.slice(1) : rawType;
    fields.set(Number(num), {
      name,
      type: type.length > 1 ? expand(type) : type,
      repeated,
      map,
      inline: INLINE_FIELDS.has(`${shorten(message)}.${name}`),
    });
  }
  parsed.set(message, fields);
  return fields;
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }
  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

type Value = unknown;

function scalar(type: string, wire: number, r: Reader): Value {
  switch (type) {
    case 's':
      return r.bytes().toString('utf8');
    case 'y':
      return r.bytes().toString('base64');
    case 'b':
      return r.varint() !== 0n;
    case 'i':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'z': {
      const v = r.varint();
      return Number((v >> 1n) ^ -(v & 1n));
    }
    case 'd': {
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
    case 'f': {
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
    case 'x': {
      const v = r.buf.readBigInt64LE(r.pos);
      r.pos += 8;
      return Number(v);
    }
    case 'w': {
      const v = r.buf.readUInt32LE(r.pos);
      r.pos += 4;
      return v;
    }
    default:
      r.skip(wire);
      return undefined;
  }
}

const TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime';
const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';
const FIELDS_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1';
const DURATION = 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration';

/** Converts a decoded well-known message to its JSON form. */
function special(type: string, value: KubeObject): Value {
  switch (type) {
    case TIME:
    case MICRO_TIME: {
      const seconds = Number(value.seconds ?? 0);
      // Go's zero time encodes as an empty message (or year 1): it means "unset".
      if (seconds <= -62135596800 || (seconds === 0 && !value.nanos)) return undefined;
      const date = new Date(seconds * 1000 + Math.floor(Number(value.nanos ?? 0) / 1e6));
      const iso = date.toISOString();
      return type === TIME ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 23)}000Z`;
    }
    case QUANTITY:
      return value.string ?? '0';
    case INT_OR_STRING:
      return value.type === 1 ? (value.strVal ?? '') : (value.intVal ?? 0);
    case RAW_EXTENSION:
    case FIELDS_V1: {
      const raw = (value.raw ?? value.Raw) as string | undefined;
      if (!raw) return undefined;
      return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    }
    case DURATION: {
      const ns = Number(value.duration ?? 0);
      return `${ns / 1e9}s`;
    }
    default:
      return value;
  }
}

function decodeMessage(type: string, r: Reader): KubeObject {
  const fields = fieldsOf(type);
  if (!fields) throw new Error(`unknown message ${type}`);
  const out: KubeObject = {};
  while (!r.done()) {
    const tag = Number(r.varint());
    const num = tag >>> 3;
    const wire = tag & 7;
    const field = fields.get(num);
    if (!field) {
      r.skip(wire);
      continue;
    }
    if (field.map) {
      const er = new Reader(r.bytes());
      let key = '';
      let value: Value;
      while (!er.done()) {
        const t = Number(er.varint());
        if (t >>> 3 === 1) key = er.bytes().toString('utf8');
        else if (t >>> 3 === 2) value = decodeValue(field.type, t & 7, er);
        else er.skip(t & 7);
      }
      out[field.name] ??= {};
      out[field.name][key] = value ?? (field.type === 's' ? '' : value);
      continue;
    }
    if (field.repeated && wire === 2 && field.type.length === 1 && field.type !== 's' && field.type !== 'y') {
      // Packed scalars.
      const inner = new Reader(r.bytes());
      out[field.name] ??= [];
      while (!inner.done()) out[field.name].push(scalar(field.type, 0, inner));
      continue;
    }
    const value = decodeValue(field.type, wire, r);
    if (field.inline) {
      if (value && typeof value === 'object') Object.assign(out, value);
      continue;
    }
    if (field.repeated) {
      out[field.name] ??= [];
      out[field.name].push(value);
    } else if (value !== undefined) {
      out[field.name] = value;
    }
  }
  return out;
}

function decodeValue(type: string, wire: number, r: Reader): Value {
  if (type.length === 1) return scalar(type, wire, r);
  const bytes = r.bytes();
  return special(type, decodeMessage(type, new Reader(bytes)));
}

/**
 * Integer fields that are pointers in the Go types, where an explicit 0 means something (the wire format
 * cannot tell them from unset non-pointer fields, which Go's JSON encoding omits).
 */
const MEANINGFUL_ZERO = new Set([
  'replicas',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'backoffLimit',
  'backoffLimitPerIndex',
  'maxFailedIndexes',
  'completions',
  'parallelism',
  'successfulJobsHistoryLimit',
  'failedJobsHistoryLimit',
  'startingDeadlineSeconds',
  'ttlSecondsAfterFinished',
  'runAsUser',
  'runAsGroup',
  'fsGroup',
  'defaultMode',
  'mode',
  'deletionGracePeriodSeconds',
  'gracePeriodSeconds',
  'priority',
  'value',
  'minAvailable',
  'maxUnavailable',
  'maxSurge',
  'partition',
  'seconds',
  'periodSeconds',
  'initialDelaySeconds',
]);

/** Drops what Go's JSON encoding would omit: empty strings, false booleans and zeros of unset fields. */
function tidy(value: Value): Value {
  if (Array.isArray(value)) return value.map(tidy);
  if (value && typeof value === 'object') {
    const out: KubeObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === '' || v === false || v === undefined) continue;
      if (v === 0 && !MEANINGFUL_ZERO.has(k)) continue;
      out[k] = tidy(v);
    }
    return out;
  }
  return value;
}

/**
 * Decodes a Kubernetes protobuf request body (the `k8s\0` envelope around a `runtime.Unknown`) of a built-in
 * kind into its JSON form. Throws a 415 Status for kinds it has no message table for, 400 for malformed bodies.
 */
export function decodeProtobuf(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw badRequest('the protobuf body does not start with the Kubernetes envelope');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  try {
    const r = new Reader(body, 4);
    while (!r.done()) {
      const tag = Number(r.varint());
      const num = tag >>> 3;
      if (num === 1) {
        const tm = new Reader(r.bytes());
        while (!tm.done()) {
          const t = Number(tm.varint());
          if (t >>> 3 === 1) apiVersion = tm.bytes().toString('utf8');
          else if (t >>> 3 === 2) kind = tm.bytes().toString('utf8');
          else tm.skip(t & 7);
        }
      } else if (num === 2) raw = r.bytes();
      else r.skip(tag & 7);
    }
  } catch (err) {
    throw badRequest(
      `the protobuf body could not be decoded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg =
    kind === 'DeleteOptions'
      ? 'k8s.io.apimachinery.pkg.apis.meta.v1'
      : GROUP_PACKAGES[group!] !== undefined
        ? `k8s.io.api.${GROUP_PACKAGES[group!]}.${version}`
        : undefined;
  const message = pkg ? `${pkg}.${kind}` : '';
  if (!pkg || !fieldsOf(message)) {
    throw unsupportedMediaType(
      `the embedded cluster cannot decode ${apiVersion} ${kind} from ${PROTOBUF_MEDIA_TYPE}: send application/json`,
    );
  }
  let object: KubeObject;
  try {
    object = decodeMessage(message, new Reader(raw ?? Buffer.alloc(0)));
  } catch (err) {
    throw badRequest(
      `the protobuf body could not be decoded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return { apiVersion, kind, ...(tidy(object) as KubeObject) };
}
