import {
  duplicateCause,
  forbiddenCause,
  invalidCause,
  notSupportedCause,
  requiredCause,
  type StatusCause,
} from './causes.js';
import { isDNS1123Label } from './names.js';

// biome-ignore lint/suspicious/noExplicitAny: validation reads arbitrary decoded JSON objects
type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (isObj(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function same(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

/** A string map as Go's `%#v` prints it: `map[string]string{"app":"web"}`. */
function goStringMap(m: unknown): string {
  if (!isObj(m)) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`).join(', ')}}`;
}

/** Whether a LabelSelector selects a set of labels. */
function selectorMatches(selector: Obj, labels: Obj): boolean {
  for (const [k, v] of Object.entries(isObj(selector.matchLabels) ? selector.matchLabels : {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isObj(e)) continue;
    const has = Object.hasOwn(labels, e.key);
    const values: unknown[] = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

function selectorIsEmpty(selector: Obj): boolean {
  const labels = isObj(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0;
  return labels + exprs === 0;
}

function validateContainers(
  list: unknown,
  path: string,
  causes: StatusCause[],
  names: Set<string>,
  required: boolean,
): void {
  if (!Array.isArray(list) || list.length === 0) {
    if (required) causes.push(requiredCause(path));
    return;
  }
  list.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!isObj(c)) return;
    if (typeof c.name !== 'string' || c.name === '') causes.push(requiredCause(`${at}.name`));
    else {
      for (const msg of isDNS1123Label(c.name)) causes.push(invalidCause(`${at}.name`, c.name, msg));
      if (names.has(c.name)) causes.push(duplicateCause(`${at}.name`, c.name));
      names.add(c.name);
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') causes.push(requiredCause(`${at}.image`));
    if (Array.isArray(c.ports)) {
      c.ports.forEach((p: unknown, j: number) => {
        if (!isObj(p)) return;
        const port = p.containerPort;
        if (typeof port !== 'number' || port < 1 || port > 65535) {
          causes.push(
            invalidCause(
              `${at}.ports[${j}].containerPort`,
              port ?? 0,
              'must be between 1 and 65535, inclusive',
            ),
          );
        }
      });
    }
  });
}

/** Validates a PodSpec: containers, their names and images, volumes' names, the restart policy. */
function validatePodSpec(
  spec: unknown,
  path: string,
  causes: StatusCause[],
  allowedRestart?: readonly string[],
): void {
  if (!isObj(spec)) {
    causes.push(requiredCause(`${path}.containers`));
    return;
  }
  const names = new Set<string>();
  validateContainers(spec.initContainers, `${path}.initContainers`, causes, names, false);
  validateContainers(spec.containers, `${path}.containers`, causes, names, true);
  if (Array.isArray(spec.volumes)) {
    const seen = new Set<string>();
    spec.volumes.forEach((v: unknown, i: number) => {
      if (!isObj(v)) return;
      if (typeof v.name !== 'string' || v.name === '')
        causes.push(requiredCause(`${path}.volumes[${i}].name`));
      else if (seen.has(v.name)) causes.push(duplicateCause(`${path}.volumes[${i}].name`, v.name));
      else seen.add(v.name);
    });
  }
  if (
    allowedRestart &&
    typeof spec.restartPolicy === 'string' &&
    !allowedRestart.includes(spec.restartPolicy)
  ) {
    if (allowedRestart.length === 1)
      causes.push(notSupportedCause(`${path}.restartPolicy`, spec.restartPolicy, allowedRestart));
    else {
      causes.push(
        requiredCause(
          `${path}.restartPolicy`,
          `valid values: ${allowedRestart.map((r) => JSON.stringify(r)).join(', ')}`,
        ),
      );
    }
  }
}

/** Selector and template rules of the controllers with a pod template. */
function validateWorkload(
  o: Obj,
  causes: StatusCause[],
  kind: string,
  allowedRestart: readonly string[],
): void {
  const spec = isObj(o.spec) ? o.spec : {};
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    causes.push(invalidCause('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  }
  const template = isObj(spec.template) ? spec.template : undefined;
  if (!isObj(spec.selector)) causes.push(requiredCause('spec.selector'));
  else if (selectorIsEmpty(spec.selector)) {
    causes.push(invalidCause('spec.selector', spec.selector, `empty selector is invalid for ${kind}`));
  } else if (template) {
    const labels = isObj(template.metadata?.labels) ? template.metadata.labels : {};
    if (!selectorMatches(spec.selector, labels)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goStringMap(template.metadata?.labels)}: \`selector\` does not match template \`labels\``,
        field: 'spec.template.metadata.labels',
      });
    }
  }
  if (!template) causes.push(requiredCause('spec.template'));
  else validatePodSpec(template.spec, 'spec.template.spec', causes, allowedRestart);
}

function validateServicePorts(o: Obj, causes: StatusCause[]): void {
  const spec = isObj(o.spec) ? o.spec : {};
  const ports: unknown[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && spec.type !== 'ExternalName' && !headless)
    causes.push(requiredCause('spec.ports'));
  if (spec.type === 'ExternalName' && !spec.externalName) causes.push(requiredCause('spec.externalName'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    if (!isObj(p)) return;
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && (typeof p.name !== 'string' || p.name === ''))
      causes.push(requiredCause(`${at}.name`));
    if (typeof p.name === 'string' && p.name !== '') {
      if (names.has(p.name)) causes.push(duplicateCause(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) {
      causes.push(invalidCause(`${at}.port`, p.port ?? 0, 'must be between 1 and 65535, inclusive'));
    }
  });
  if (
    spec.type !== undefined &&
    !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(spec.type)
  ) {
    causes.push(
      notSupportedCause('spec.type', spec.type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']),
    );
  }
}

const VALIDATORS: Readonly<Record<string, (o: Obj, causes: StatusCause[]) => void>> = {
  'apps/Deployment': (o, c) => validateWorkload(o, c, 'deployment', ['Always']),
  'apps/ReplicaSet': (o, c) => validateWorkload(o, c, 'replicaset', ['Always']),
  'apps/StatefulSet': (o, c) => validateWorkload(o, c, 'statefulset', ['Always']),
  'apps/DaemonSet': (o, c) => validateWorkload(o, c, 'daemonset', ['Always']),
  'batch/Job': (o, c) => {
    const spec = isObj(o.spec) ? o.spec : {};
    if (!isObj(spec.template)) c.push(requiredCause('spec.template'));
    else validatePodSpec(spec.template.spec, 'spec.template.spec', c, ['OnFailure', 'Never']);
    for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds']) {
      if (typeof spec[f] === 'number' && spec[f] < 0)
        c.push(invalidCause(`spec.${f}`, spec[f], 'must be greater than or equal to 0'));
    }
  },
  'batch/CronJob': (o, c) => {
    const spec = isObj(o.spec) ? o.spec : {};
    if (typeof spec.schedule !== 'string' || spec.schedule.trim() === '')
      c.push(requiredCause('spec.schedule'));
    const template = spec.jobTemplate?.spec?.template;
    if (!isObj(template)) c.push(requiredCause('spec.jobTemplate.spec.template'));
    else validatePodSpec(template.spec, 'spec.jobTemplate.spec.template.spec', c, ['OnFailure', 'Never']);
  },
  '/Pod': (o, c) => validatePodSpec(o.spec, 'spec', c, ['Always', 'OnFailure', 'Never']),
  '/Service': validateServicePorts,
  '/ConfigMap': (o, c) => validateDataKeys(o, ['data', 'binaryData'], c),
  '/Secret': (o, c) => validateDataKeys(o, ['data'], c),
};

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function validateDataKeys(o: Obj, fields: string[], causes: StatusCause[]): void {
  const seen = new Set<string>();
  for (const field of fields) {
    if (!isObj(o[field])) continue;
    for (const key of Object.keys(o[field])) {
      if (!CONFIG_KEY.test(key) || key.length > 253) {
        causes.push(
          invalidCause(
            `${field}[${key}]`,
            key,
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
          ),
        );
      }
      if (seen.has(key))
        causes.push(invalidCause(`${field}[${key}]`, key, 'duplicate of key present in data'));
      seen.add(key);
    }
  }
}

/** Validates the spec rules of built-in kinds the embedded cluster enforces; `[]` when valid or not covered. */
export function validateBuiltin(group: string, kind: string, object: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  VALIDATORS[`${group}/${kind}`]?.(object, causes);
  return causes;
}

function immutable(field: string, value: unknown): StatusCause {
  return invalidCause(field, value, 'field is immutable');
}

/**
 * The update rules of built-in kinds: immutable selectors (Deployments, ReplicaSets, DaemonSets, Jobs),
 * a running Job's template, StatefulSet spec outside the updatable fields, `immutable` ConfigMaps and
 * Secrets, a Service's allocated cluster IP, a bound PersistentVolumeClaim's spec, a CRD's scope and group.
 */
export function validateBuiltinUpdate(group: string, kind: string, object: Obj, old: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObj(object.spec) ? object.spec : {};
  const oldSpec = isObj(old.spec) ? old.spec : {};
  switch (`${group}/${kind}`) {
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'apps/DaemonSet':
      if (!same(spec.selector, oldSpec.selector)) causes.push(immutable('spec.selector', spec.selector));
      break;
    case 'apps/StatefulSet': {
      const updatable = [
        'replicas',
        'ordinals',
        'template',
        'updateStrategy',
        'persistentVolumeClaimRetentionPolicy',
        'minReadySeconds',
      ];
      const strip = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k]) => !updatable.includes(k)));
      if (!same(strip(spec), strip(oldSpec))) {
        causes.push(
          forbiddenCause(
            'spec',
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          ),
        );
      }
      break;
    }
    case 'batch/Job':
      if (!same(spec.selector, oldSpec.selector)) causes.push(immutable('spec.selector', spec.selector));
      if (oldSpec.suspend !== true && !same(spec.template, oldSpec.template)) {
        causes.push(immutable('spec.template', spec.template));
      }
      if (spec.completionMode !== oldSpec.completionMode)
        causes.push(immutable('spec.completionMode', spec.completionMode));
      break;
    case '/ConfigMap':
    case '/Secret':
      if (old.immutable === true) {
        for (const field of ['data', 'binaryData', 'stringData']) {
          if (!same(object[field], old[field]))
            causes.push(forbiddenCause(field, 'field is immutable when `immutable` is set'));
        }
        if (object.immutable !== true)
          causes.push(forbiddenCause('immutable', 'field is immutable when `immutable` is set'));
      }
      if (kind === 'Secret' && (object.type ?? 'Opaque') !== (old.type ?? 'Opaque'))
        causes.push(immutable('type', object.type));
      break;
    case '/Service': {
      // The primary cluster IP stays once allocated, unless the Service turns into or from ExternalName.
      const external =
        (spec.type ?? 'ClusterIP') === 'ExternalName' || (oldSpec.type ?? 'ClusterIP') === 'ExternalName';
      const primary = (s: Obj): unknown =>
        (Array.isArray(s.clusterIPs) && s.clusterIPs[0]) || s.clusterIP || undefined;
      const was = primary(oldSpec);
      const now = primary(spec);
      if (!external && was !== undefined && now !== undefined && now !== was) {
        causes.push(
          invalidCause('spec.clusterIPs[0]', spec.clusterIPs ?? [spec.clusterIP], 'may not change once set'),
        );
      }
      break;
    }
    case '/PersistentVolumeClaim': {
      const strip = (s: Obj) => {
        const copy = { ...s };
        delete copy.resources;
        delete copy.volumeAttributesClassName;
        if (!old.spec?.volumeName) delete copy.volumeName;
        return copy;
      };
      if (!same(strip(spec), strip(oldSpec))) {
        causes.push(
          forbiddenCause(
            'spec',
            'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
          ),
        );
      }
      break;
    }
    case 'apiextensions.k8s.io/CustomResourceDefinition':
      if (spec.scope !== oldSpec.scope) causes.push(immutable('spec.scope', spec.scope));
      if (spec.group !== oldSpec.group) causes.push(immutable('spec.group', spec.group));
      for (const v of Array.isArray(old.status?.storedVersions) ? old.status.storedVersions : []) {
        if (!(Array.isArray(spec.versions) ? spec.versions : []).some((x: Obj) => x?.name === v)) {
          causes.push(
            invalidCause(
              'status.storedVersions',
              old.status.storedVersions,
              `must have the same version ${v} in spec.versions`,
            ),
          );
        }
      }
      break;
  }
  return causes;
}

/** Keeps the values the server allocated for a Service (cluster IPs, node ports) when an update leaves them out. */
export function keepServiceAllocations(object: Obj, old: Obj): void {
  const spec = isObj(object.spec) ? object.spec : undefined;
  const oldSpec = isObj(old.spec) ? old.spec : undefined;
  if (!spec || !oldSpec) return;
  const sameType =
    (spec.type ?? 'ClusterIP') !== 'ExternalName' && (oldSpec.type ?? 'ClusterIP') !== 'ExternalName';
  if (sameType) {
    if ((spec.clusterIP === undefined || spec.clusterIP === '') && oldSpec.clusterIP !== undefined)
      spec.clusterIP = oldSpec.clusterIP;
    if (
      spec.clusterIPs === undefined &&
      oldSpec.clusterIPs !== undefined &&
      spec.clusterIP === oldSpec.clusterIP
    ) {
      spec.clusterIPs = structuredClone(oldSpec.clusterIPs);
    }
  }
  if (
    (spec.type === 'NodePort' || spec.type === 'LoadBalancer') &&
    Array.isArray(spec.ports) &&
    Array.isArray(oldSpec.ports)
  ) {
    for (const p of spec.ports) {
      if (!isObj(p) || (p.nodePort !== undefined && p.nodePort !== 0)) continue;
      const match = oldSpec.ports.find(
        (q: Obj) =>
          isObj(q) && q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP') && q.nodePort,
      );
      if (match) p.nodePort = match.nodePort;
    }
  }
  if (spec.healthCheckNodePort === undefined && oldSpec.healthCheckNodePort !== undefined) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

/** Folds a Secret's write-only `stringData` into `data` (base64), as the API server does on decode. */
export function foldStringData(secret: Obj): void {
  if (!isObj(secret.stringData)) {
    delete secret.stringData;
    return;
  }
  const data = isObj(secret.data) ? secret.data : {};
  for (const [k, v] of Object.entries(secret.stringData)) {
    data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  secret.data = data;
  delete secret.stringData;
}
