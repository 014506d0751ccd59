import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isObject, type JsonObject, type JsonValue } from '../patch/index.js';
import { type TypeNode, typeForKind } from '../schema/index.js';
import { KustomizeError } from './errors.js';
import { type BuildContext, KUSTOMIZATION_FILES, loadKustomization } from './target.js';
import { parseYamlStream } from './yaml-input.js';

/** The fields of a Flux Kustomization's spec that act on the build. */
export interface FluxExtras {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** `spec.patches`: `{patch, target?}`. */
  patches?: { patch: string; target?: Record<string, string> }[];
  /** `spec.images`. */
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  /** `spec.components`, relative to the built folder. */
  components?: string[];
}

function listManifests(ctx: BuildContext, dir: string, out: string[]): void {
  for (const name of ctx.fs.list(dir)) {
    if (name.startsWith('.')) continue;
    const abs = join(dir, name);
    const real = ctx.fs.real(dir, name);
    if (ctx.fs.isDir(real)) {
      listManifests(ctx, abs, out);
      continue;
    }
    if (!/\.ya?ml$/.test(name) || KUSTOMIZATION_FILES.includes(name)) continue;
    const docs = parseYamlStream(ctx.fs.readFile(real), ctx.fs.rel(real));
    if (docs.some((d) => isObject(d) && typeof d.apiVersion === 'string' && typeof d.kind === 'string'))
      out.push(abs);
  }
}

/**
 * The kustomization Flux builds for a folder: its own kustomization file, or one generated from every
 * manifest below it, with the Kustomization object's extras added on top.
 */
export function fluxKustomization(
  ctx: BuildContext,
  dir: string,
  extras: FluxExtras,
): { k: JsonObject; file: string } {
  let k: JsonObject;
  let file: string;
  if (KUSTOMIZATION_FILES.some((f) => ctx.fs.exists(join(dir, f)))) {
    ({ k, file } = loadKustomization(ctx, dir));
    k = structuredClone(k);
  } else {
    const files: string[] = [];
    listManifests(ctx, dir, files);
    k = { resources: files.map((f) => f.slice(dir.length + 1)) };
    file = join(ctx.fs.rel(dir), 'kustomization.yaml');
  }
  if (extras.targetNamespace) k.namespace = extras.targetNamespace;
  if (extras.namePrefix)
    k.namePrefix = extras.namePrefix + (typeof k.namePrefix === 'string' ? k.namePrefix : '');
  if (extras.nameSuffix)
    k.nameSuffix = (typeof k.nameSuffix === 'string' ? k.nameSuffix : '') + extras.nameSuffix;
  const cm = extras.commonMetadata;
  if (cm?.labels && Object.keys(cm.labels).length > 0) {
    k.labels = [...(Array.isArray(k.labels) ? k.labels : []), { pairs: cm.labels, includeSelectors: false }];
  }
  if (cm?.annotations && Object.keys(cm.annotations).length > 0) {
    k.commonAnnotations = {
      ...(isObject(k.commonAnnotations) ? k.commonAnnotations : {}),
      ...cm.annotations,
    };
  }
  if (extras.patches?.length) {
    k.patches = [
      ...(Array.isArray(k.patches) ? k.patches : []),
      ...(extras.patches as unknown as JsonValue[]),
    ];
  }
  if (extras.images?.length)
    k.images = [...(Array.isArray(k.images) ? k.images : []), ...(extras.images as unknown as JsonValue[])];
  if (extras.components?.length)
    k.components = [...(Array.isArray(k.components) ? k.components : []), ...extras.components];
  return { k, file };
}

/** Options of {@link substitute}. */
export interface SubstituteOptions {
  /** Fail on a variable that has no value and no default (Flux's `substitute: strict`). Default false. */
  strict?: boolean;
}

const NAME_RE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const DISABLED = 'kustomize.toolkit.fluxcd.io/substitute';

function expand(s: string, vars: Record<string, string>, strict: boolean, where: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '$' && s[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (c === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      if (end < 0) {
        out += s.slice(i);
        break;
      }
      const expr = s.slice(i + 2, end);
      const m = /^([^:=\-+?]+)(?:(:?[=\-+?])(.*))?$/s.exec(expr);
      if (!m) {
        throw new KustomizeError(
          'KustomizeSubstitution',
          `Variable substitution failed in ${where}: bad expression \${${expr}}`,
        );
      }
      const name = m[1]!;
      if (!NAME_RE.test(name)) {
        throw new KustomizeError(
          'KustomizeSubstitution',
          `Variable substitution failed in ${where}: ${JSON.stringify(name)} is not a valid variable name`,
        );
      }
      const op = m[2];
      const arg = m[3] ?? '';
      const has = Object.hasOwn(vars, name);
      const val = vars[name];
      let rep: string;
      switch (op) {
        case ':=':
        case ':-':
          rep = has && val !== '' ? val! : arg;
          break;
        case '=':
        case '-':
          rep = has ? val! : arg;
          break;
        case ':+':
          rep = has && val !== '' ? arg : '';
          break;
        case '+':
          rep = has ? arg : '';
          break;
        default:
          if (!has && strict) {
            throw new KustomizeError(
              'KustomizeSubstitution',
              `Variable substitution failed in ${where}: variable ${name} is not set`,
            );
          }
          rep = val ?? '';
      }
      out += rep;
      i = end + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

type ParseScalar = typeof import('yaml').parse;
let parseScalarFn: ParseScalar | undefined;

/** The YAML 1.2 reader used for substituted scalars, loaded on first use: most builds never substitute. */
function parseScalar(text: string, options: { schema: 'core' }): unknown {
  parseScalarFn ??= (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse;
  return parseScalarFn(text, options);
}

function substituteValue(
  v: JsonValue,
  vars: Record<string, string>,
  strict: boolean,
  where: string,
  type: TypeNode | undefined,
): JsonValue {
  if (typeof v === 'string') {
    if (!v.includes('$')) return v;
    const r = expand(v, vars, strict, where);
    if (r === v) return v;
    // Flux substitutes in the YAML text, so a plain scalar that becomes a number or boolean changes type.
    // Where the schema says the field is a string (ConfigMap data, labels, env values), the source must
    // have quoted it to be valid, and it stays a string.
    if (type?.type !== 'string' && v.startsWith('${') && v.endsWith('}') && !r.includes('\n')) {
      try {
        const parsed = parseScalar(r, { schema: 'core' }) as unknown;
        if (typeof parsed === 'number' || typeof parsed === 'boolean') return parsed;
      } catch {
        return r;
      }
    }
    return r;
  }
  if (Array.isArray(v)) {
    const items = type?.items();
    return v.map((x) => substituteValue(x, vars, strict, where, items));
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v))
      out[expand(k, vars, strict, where)] = substituteValue(x, vars, strict, where, type?.field(k));
    return out;
  }
  return v;
}

/**
 * Flux's `postBuild` substitution: replaces `${var}`, `${var:=default}`, `${var:-default}`, `${var=default}`
 * and `${var-default}` in every object except those annotated `kustomize.toolkit.fluxcd.io/substitute:
 * disabled`; `$${var}` escapes. Returns new objects.
 */
export function substitute(
  objects: readonly JsonObject[],
  vars: Record<string, string>,
  options: SubstituteOptions = {},
): JsonObject[] {
  for (const name of Object.keys(vars)) {
    if (!NAME_RE.test(name)) {
      throw new KustomizeError(
        'KustomizeSubstitution',
        `Variable name ${JSON.stringify(name)} is invalid: it must match ^[_[:alpha:]][_[:alpha:][:digit:]]*$`,
      );
    }
  }
  return objects.map((o) => {
    const meta = isObject(o.metadata) ? o.metadata : {};
    const ann = isObject(meta.annotations) ? meta.annotations : {};
    if (ann[DISABLED] === 'disabled') return o;
    const where = `${String(o.kind)}/${String(meta.name ?? '')}`;
    const type =
      typeof o.apiVersion === 'string' && typeof o.kind === 'string'
        ? typeForKind(o.apiVersion, o.kind)
        : undefined;
    return substituteValue(o, vars, options.strict ?? false, where, type) as JsonObject;
  });
}
