import { InvalidSpecError } from '../../api/index.js';

type Literal = string | number | boolean | null;

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string }
  | { kind: 'filter'; path: Step[]; op?: string; value?: Literal | Step[] };

/** A compiled JSONPath expression of the subset Kubernetes printer columns use. */
export interface CompiledJSONPath {
  /** The expression as written. */
  readonly source: string;
  /** Every value the path selects in `root`, in document order; `[]` when nothing matches. */
  find(root: unknown): unknown[];
}

const cache = new Map<string, CompiledJSONPath>();

/**
 * Compiles a Kubernetes-style JSONPath such as `.spec.replicas`, `.spec.containers[0].image`,
 * `.status.conditions[?(@.type=="Ready")].status`, `.items[*].metadata.name`, `.metadata.labels['app.kubernetes.io/name']`
 * or `..name`. Surrounding `{…}` and a leading `$` are accepted. Compiled paths are cached. Throws
 * `InvalidSpecError` on syntax errors.
 */
export function compileJSONPath(expression: string): CompiledJSONPath {
  const hit = cache.get(expression);
  if (hit) return hit;
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  const parser = new Parser(text, expression);
  const steps = parser.parsePath(false);
  if (!parser.done()) parser.fail('unexpected character');
  const compiled: CompiledJSONPath = { source: expression, find: (root) => evaluate(steps, [root]) };
  if (cache.size > 1000) cache.clear();
  cache.set(expression, compiled);
  return compiled;
}

class Parser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly source: string,
  ) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  fail(why: string): never {
    throw new InvalidSpecError(
      `JSONPath ${JSON.stringify(this.source)} is invalid: ${why} at offset ${this.pos}`,
    );
  }

  /** Parses steps until the end, or (inside a filter) until an operator or `)`. */
  parsePath(inFilter: boolean): Step[] {
    const steps: Step[] = [];
    while (!this.done()) {
      const c = this.text[this.pos]!;
      if (inFilter && (c === ')' || c === ' ' || c === '=' || c === '!' || c === '<' || c === '>')) break;
      if (c === '.') {
        if (this.text[this.pos + 1] === '.') {
          this.pos += 2;
          steps.push({ kind: 'recursive', name: this.readName() });
          continue;
        }
        this.pos++;
        if (this.text[this.pos] === '*') {
          this.pos++;
          steps.push({ kind: 'wildcard' });
          continue;
        }
        if (this.done() || this.text[this.pos] === '[') continue;
        steps.push({ kind: 'field', name: this.readName() });
      } else if (c === '[') {
        steps.push(this.parseBracket());
      } else if (steps.length === 0 && /[A-Za-z_]/.test(c)) {
        steps.push({ kind: 'field', name: this.readName() });
      } else {
        this.fail(`unexpected ${JSON.stringify(c)}`);
      }
    }
    return steps;
  }

  readName(): string {
    let name = '';
    while (!this.done()) {
      const c = this.text[this.pos]!;
      if (c === '\\' && this.pos + 1 < this.text.length) {
        name += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (
        c === '.' ||
        c === '[' ||
        c === ')' ||
        c === ' ' ||
        c === '=' ||
        c === '!' ||
        c === '<' ||
        c === '>'
      )
        break;
      name += c;
      this.pos++;
    }
    if (name === '') this.fail('expected a field name');
    return name;
  }

  readQuoted(): string {
    const quote = this.text[this.pos]!;
    this.pos++;
    let out = '';
    while (!this.done() && this.text[this.pos] !== quote) {
      if (this.text[this.pos] === '\\' && this.pos + 1 < this.text.length) this.pos++;
      out += this.text[this.pos];
      this.pos++;
    }
    if (this.done()) this.fail('unterminated string');
    this.pos++;
    return out;
  }

  skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  parseBracket(): Step {
    this.pos++; // [
    this.skipSpaces();
    const c = this.text[this.pos];
    let step: Step;
    if (c === "'" || c === '"') {
      step = { kind: 'field', name: this.readQuoted() };
    } else if (c === '*') {
      this.pos++;
      step = { kind: 'wildcard' };
    } else if (c === '?') {
      this.pos++;
      this.skipSpaces();
      if (this.text[this.pos] !== '(') this.fail('expected ( after ?');
      this.pos++;
      this.skipSpaces();
      if (this.text[this.pos] !== '@') this.fail('expected @ in filter');
      this.pos++;
      const path = this.parsePath(true);
      this.skipSpaces();
      let op: string | undefined;
      let value: Literal | Step[] | undefined;
      const m = /^(==|!=|<=|>=|<|>)/.exec(this.text.slice(this.pos));
      if (m) {
        op = m[1];
        this.pos += m[1]!.length;
        this.skipSpaces();
        value = this.readLiteral();
        this.skipSpaces();
      }
      if (this.text[this.pos] !== ')') this.fail('expected ) closing the filter');
      this.pos++;
      step = { kind: 'filter', path, ...(op ? { op, value } : {}) };
    } else {
      const m = /^(-?\d*)\s*(?::\s*(-?\d*))?/.exec(this.text.slice(this.pos))!;
      if (m[0] === '') this.fail('expected an index');
      this.pos += m[0].length;
      if (m[0].includes(':')) {
        step = {
          kind: 'slice',
          ...(m[1] ? { start: Number(m[1]) } : {}),
          ...(m[2] ? { end: Number(m[2]) } : {}),
        };
      } else {
        step = { kind: 'index', index: Number(m[1]) };
      }
    }
    this.skipSpaces();
    if (this.text[this.pos] !== ']') this.fail('expected ]');
    this.pos++;
    return step;
  }

  readLiteral(): Literal | Step[] {
    const c = this.text[this.pos];
    if (c === "'" || c === '"') return this.readQuoted();
    if (c === '@') {
      this.pos++;
      return this.parsePath(true);
    }
    const m = /^(true|false|null|-?\d+(?:\.\d+)?)/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a literal');
    this.pos += m[1]!.length;
    if (m[1] === 'true') return true;
    if (m[1] === 'false') return false;
    if (m[1] === 'null') return null;
    return Number(m[1]);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function recurse(name: string, value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const item of value) recurse(name, item, out);
  } else if (isObject(value)) {
    if (name === '*' ? false : name in value) out.push(value[name]);
    for (const child of Object.values(value)) recurse(name, child, out);
  }
}

function compare(left: unknown, op: string, right: unknown): boolean {
  switch (op) {
    case '==':
      return left === right || (left !== undefined && right !== undefined && String(left) === String(right));
    case '!=':
      return !(
        left === right ||
        (left !== undefined && right !== undefined && String(left) === String(right))
      );
    case '<':
      return typeof left === 'number' && typeof right === 'number' && left < right;
    case '>':
      return typeof left === 'number' && typeof right === 'number' && left > right;
    case '<=':
      return typeof left === 'number' && typeof right === 'number' && left <= right;
    case '>=':
      return typeof left === 'number' && typeof right === 'number' && left >= right;
    default:
      return false;
  }
}

function evaluate(steps: Step[], start: unknown[]): unknown[] {
  let current = start;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (step.kind) {
        case 'field':
          if (isObject(value) && step.name in value) next.push(value[step.name]);
          break;
        case 'index':
          if (Array.isArray(value)) {
            const i = step.index < 0 ? value.length + step.index : step.index;
            if (i >= 0 && i < value.length) next.push(value[i]);
          }
          break;
        case 'slice':
          if (Array.isArray(value)) next.push(...value.slice(step.start, step.end));
          break;
        case 'wildcard':
          if (Array.isArray(value)) next.push(...value);
          else if (isObject(value)) next.push(...Object.values(value));
          break;
        case 'recursive':
          recurse(step.name, value, next);
          break;
        case 'filter': {
          const items = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
          for (const item of items) {
            const found = evaluate(step.path, [item]);
            if (step.op === undefined) {
              if (found.length > 0 && found[0] !== false && found[0] !== null) next.push(item);
              continue;
            }
            const right = Array.isArray(step.value) ? evaluate(step.value, [item])[0] : step.value;
            if (found.length > 0 && compare(found[0], step.op, right)) next.push(item);
          }
          break;
        }
      }
    }
    current = next;
  }
  return current;
}
