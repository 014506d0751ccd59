/**
 * A reader for the plain block YAML most manifests are written in: block mappings and sequences (compact
 * and indentless forms included), plain and quoted one-line scalars, literal block scalars, `[]`, `{}`,
 * comments and `---` separators. It gives up, returning `undefined`, on anything else (anchors, aliases,
 * tags, flow collections with content, folded or multi-line scalars, tabs, duplicate keys, odd indentation),
 * and the caller then reads the text with the full parser. So it never has to report an error, and what it
 * does return equals the full parser's result, keys in the same order.
 */

/** Turns a plain scalar into its value (null, boolean, number or string) as the YAML schema in use does. */
export type PlainResolver = (text: string) => unknown;

/** Nesting deeper than this is left to the full parser, which enforces its own limit. */
const MAX_DEPTH = 40;

class GiveUp {}
const GIVE_UP = new GiveUp();

function giveUp(): never {
  throw GIVE_UP;
}

const SPACE = 32;
const HASH = 35;
const DASH = 45;

/** Characters that may not start a plain scalar (or that start a construct this reader leaves alone). */
function isIndicator(c: number): boolean {
  switch (c) {
    case 33: // !
    case 34: // "
    case 35: // #
    case 37: // %
    case 38: // &
    case 39: // '
    case 42: // *
    case 44: // ,
    case 58: // :
    case 62: // >
    case 63: // ?
    case 64: // @
    case 91: // [
    case 93: // ]
    case 96: // `
    case 123: // {
    case 124: // |
    case 125: // }
      return true;
    default:
      return false;
  }
}

/**
 * The character code at `i`, or -1 past the end of `s`. Reading past the end with charCodeAt would
 * deoptimize the compiled reader (and recompiling it costs more than the read it saves).
 */
function code(s: string, i: number): number {
  return i >>> 0 < s.length ? s.charCodeAt(i) : -1;
}

function indentOf(line: string): number {
  let i = 0;
  while (code(line, i) === SPACE) i++;
  return i;
}

/** Whether the line holds nothing but spaces and maybe a comment. */
function isBlankOrComment(line: string, from: number): boolean {
  let i = from;
  while (code(line, i) === SPACE) i++;
  return i === line.length || code(line, i) === HASH;
}

/** Index where the text of `line` from `from` ends, before trailing spaces and a ` #` comment. */
function contentEnd(line: string, from: number): number {
  let end = line.length;
  const hash = line.indexOf(' #', from);
  if (hash >= 0) end = hash;
  while (end > from && code(line, end - 1) === SPACE) end--;
  return end;
}

class Reader {
  private readonly lines: string[];
  private readonly resolve: PlainResolver;
  private li = 0;
  private depth = 0;
  /** The first line after the current document. */
  private end = 0;

  constructor(lines: string[], resolve: PlainResolver) {
    this.lines = lines;
    this.resolve = resolve;
  }

  /** Reads every document; empty documents are skipped. */
  readAll(): unknown[] {
    const docs: unknown[] = [];
    const n = this.lines.length;
    let start = 0;
    while (start <= n) {
      let end = start;
      while (end < n && !this.isSeparator(end)) end++;
      this.li = start;
      this.end = end;
      const doc = this.readDocument();
      if (doc !== null) docs.push(doc);
      start = end + 1;
    }
    return docs;
  }

  private isSeparator(i: number): boolean {
    const line = this.lines[i]!;
    const c = code(line, 0);
    if (c === DASH && line.startsWith('---')) {
      if (line.length === 3) return true;
      if (code(line, 3) === SPACE && isBlankOrComment(line, 3)) return true;
      giveUp();
    }
    if ((c === 46 /* . */ && line.startsWith('...')) || c === 37 /* % */) giveUp();
    return false;
  }

  /** Moves to the next line with content; returns its indent, or -1 at the end of the document. */
  private skipBlank(): number {
    while (this.li < this.end) {
      const line = this.lines[this.li]!;
      const indent = indentOf(line);
      if (indent < line.length && code(line, indent) !== HASH) return indent;
      this.li++;
    }
    return -1;
  }

  private readDocument(): unknown {
    const indent = this.skipBlank();
    if (indent < 0) return null;
    const value = this.readNode(indent, -1);
    if (this.skipBlank() >= 0) giveUp();
    return value;
  }

  /**
   * Reads the node that starts at column `col` of the current line (where further entries of a collection
   * start); `parent` is the indentation of the enclosing collection.
   */
  private readNode(col: number, parent: number): unknown {
    if (++this.depth > MAX_DEPTH) giveUp();
    const line = this.lines[this.li]!;
    let value: unknown;
    if (code(line, col) === DASH && (col + 1 === line.length || code(line, col + 1) === SPACE)) {
      value = this.readSequence(col);
    } else if (this.entryColon(line, col) >= 0) {
      value = this.readMapping(col);
    } else {
      value = this.readInlineScalar(line, col);
      this.li++;
      this.checkNoContinuation(parent);
    }
    this.depth--;
    return value;
  }

  /** A plain scalar value may continue on more-indented lines; this reader leaves those to the full parser. */
  private checkNoContinuation(parent: number): void {
    const next = this.li < this.end ? this.lines[this.li]! : undefined;
    if (next === undefined) return;
    const indent = indentOf(next);
    if (indent > parent && indent < next.length) giveUp();
  }

  /** The index of the `:` that ends a plain mapping key starting at `col`, or -1 when the line is no entry. */
  private entryColon(line: string, col: number): number {
    const c = code(line, col);
    if (isIndicator(c)) return -1;
    if (c === DASH && (col + 1 === line.length || code(line, col + 1) === SPACE)) return -1;
    let i = line.indexOf(':', col);
    while (i >= 0) {
      const next = code(line, i + 1);
      if (i + 1 === line.length || next === SPACE) {
        const hash = line.indexOf(' #', col);
        if (hash >= 0 && hash < i) return -1;
        return i;
      }
      i = line.indexOf(':', i + 1);
    }
    return -1;
  }

  private readMapping(col: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let first = true;
    for (;;) {
      if (!first) {
        const indent = this.skipBlank();
        if (indent < col) break;
        if (indent > col) giveUp();
      }
      first = false;
      // Every entry's key starts at `col`: the first one by the caller's word, the others by their indent.
      const line = this.lines[this.li]!;
      const colon = this.entryColon(line, col);
      if (colon < 0) giveUp();
      let keyEnd = colon;
      while (code(line, keyEnd - 1) === SPACE) keyEnd--;
      const keyText = line.slice(col, keyEnd);
      if (keyText === '<<' || keyText === '__proto__') giveUp();
      const key = String(this.resolvePlain(keyText));
      if (Object.hasOwn(out, key)) giveUp();
      out[key] = this.readValue(line, colon + 1, col);
    }
    return out;
  }

  /** Reads the value after a mapping key's `:` (at `from` on the current line); `col` is the key's column. */
  private readValue(line: string, from: number, col: number): unknown {
    let i = from;
    while (code(line, i) === SPACE) i++;
    if (i === line.length || code(line, i) === HASH) {
      this.li++;
      const indent = this.skipBlank();
      if (indent < 0) return null;
      const next = this.lines[this.li]!;
      if (indent > col) return this.readNode(indent, col);
      if (indent === col && code(next, col) === DASH) {
        const after = code(next, col + 1);
        // An indentless sequence: the entries of a mapping value may sit at the key's own column.
        if (col + 1 === next.length || after === SPACE) return this.readSequence(col);
      }
      return null;
    }
    if (++this.depth > MAX_DEPTH) giveUp();
    const value = this.readInline(line, i, col);
    this.depth--;
    return value;
  }

  /** Reads a node that starts mid-line at `i` (after `key: ` or `- `); `parent` is the enclosing indent. */
  private readInline(line: string, i: number, parent: number): unknown {
    const c = code(line, i);
    if (c === 124 /* | */) return this.readLiteral(line, i, parent);
    if (c === DASH && (i + 1 === line.length || code(line, i + 1) === SPACE)) giveUp();
    // A `key: value` here would be a mapping on the key's line: readInlineScalar gives up on it.
    const value = this.readInlineScalar(line, i);
    this.li++;
    this.checkNoContinuation(parent);
    return value;
  }

  private readSequence(col: number): unknown[] {
    const out: unknown[] = [];
    let first = true;
    for (;;) {
      if (!first) {
        const indent = this.skipBlank();
        if (indent < col) break;
        if (indent > col) giveUp();
        const line = this.lines[this.li]!;
        if (code(line, col) !== DASH || (col + 1 < line.length && code(line, col + 1) !== SPACE)) {
          break;
        }
      }
      first = false;
      const line = this.lines[this.li]!;
      let i = col + 1;
      while (code(line, i) === SPACE) i++;
      if (i === line.length || code(line, i) === HASH) {
        this.li++;
        const indent = this.skipBlank();
        out.push(indent > col ? this.readNode(indent, col) : null);
        continue;
      }
      const c = code(line, i);
      if (c === 124 /* | */) {
        out.push(this.readLiteral(line, i, col));
        continue;
      }
      if (c === DASH && (i + 1 === line.length || code(line, i + 1) === SPACE)) {
        // A compact nested sequence: `- - a`.
        out.push(this.readNode(i, col));
        continue;
      }
      if (this.entryColon(line, i) >= 0) {
        // A compact mapping: `- key: value`, further keys at the first key's column.
        out.push(this.readNode(i, col));
        continue;
      }
      out.push(this.readInlineScalar(line, i));
      this.li++;
      this.checkNoContinuation(col);
    }
    return out;
  }

  /** A one-line scalar or empty flow collection at `i`; anything longer or fancier gives up. */
  private readInlineScalar(line: string, i: number): unknown {
    const c = code(line, i);
    if (c === 34 /* " */) return this.readDoubleQuoted(line, i);
    if (c === 39 /* ' */) return this.readSingleQuoted(line, i);
    if (c === 91 /* [ */ || c === 123 /* { */) {
      const end = contentEnd(line, i);
      if (end === i + 2 && code(line, i + 1) === (c === 91 ? 93 : 125)) return c === 91 ? [] : {};
      giveUp();
    }
    if (isIndicator(c)) giveUp();
    const end = contentEnd(line, i);
    const text = line.slice(i, end);
    if (text.endsWith(':') || text.includes(': ')) giveUp();
    return this.resolvePlain(text);
  }

  private resolvePlain(text: string): unknown {
    const c = code(text, 0);
    // Only these first characters can make a plain scalar anything but a string (null, booleans, numbers).
    if (
      (c >= 48 && c <= 57) ||
      c === 43 || // +
      c === 45 || // -
      c === 46 || // .
      c === 126 || // ~
      c === 110 || // n
      c === 78 || // N
      c === 116 || // t
      c === 84 || // T
      c === 102 || // f
      c === 70 // F
    ) {
      return this.resolve(text);
    }
    if (text === '') giveUp();
    return text;
  }

  /** Whatever follows a closing quote must be spaces and maybe a comment. */
  private endOfQuoted(line: string, after: number): void {
    if (!isBlankOrComment(line, after)) giveUp();
    if (after < line.length && code(line, after) !== SPACE) giveUp();
  }

  private readSingleQuoted(line: string, start: number): string {
    let out = '';
    let i = start + 1;
    for (;;) {
      const q = line.indexOf("'", i);
      if (q < 0) giveUp();
      out += line.slice(i, q);
      if (code(line, q + 1) === 39) {
        out += "'";
        i = q + 2;
        continue;
      }
      this.endOfQuoted(line, q + 1);
      return out;
    }
  }

  private readDoubleQuoted(line: string, start: number): string {
    let out = '';
    let i = start + 1;
    for (;;) {
      let j = i;
      while (j < line.length) {
        const c = code(line, j);
        if (c === 34 || c === 92) break;
        j++;
      }
      if (j === line.length) giveUp();
      out += line.slice(i, j);
      if (code(line, j) === 34) {
        this.endOfQuoted(line, j + 1);
        return out;
      }
      const e = line[j + 1];
      let width = 0;
      switch (e) {
        case '\\':
        case '"':
        case '/':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        case 'x':
          width = 2;
          break;
        case 'u':
          width = 4;
          break;
        case 'U':
          width = 8;
          break;
        default:
          giveUp();
      }
      if (width > 0) {
        const hex = line.slice(j + 2, j + 2 + width);
        if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) giveUp();
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) giveUp();
        out += String.fromCodePoint(cp);
      }
      i = j + 2 + width;
    }
  }

  /** A literal block scalar (`|`, `|-`, `|+`) whose header is at `i`; its lines are indented past `parent`. */
  private readLiteral(line: string, i: number, parent: number): string {
    let chomp = 'clip';
    let h = i + 1;
    const c = code(line, h);
    if (c === DASH) {
      chomp = 'strip';
      h++;
    } else if (c === 43 /* + */) {
      chomp = 'keep';
      h++;
    }
    if (!isBlankOrComment(line, h) || (h < line.length && code(line, h) !== SPACE)) giveUp();
    this.li++;
    // The first line with content sets the indentation; blank lines before it are left to the full parser.
    if (this.li >= this.end) giveUp();
    const firstLine = this.lines[this.li]!;
    const indent = indentOf(firstLine);
    if (indent === firstLine.length || indent <= parent) giveUp();
    let text = '';
    let pendingBreaks = '';
    while (this.li < this.end) {
      const l = this.lines[this.li]!;
      const li = indentOf(l);
      if (li === l.length && li <= indent) {
        // An empty line belongs to the scalar if more content follows (or with `|+`); spaces past the
        // indent would be content.
        pendingBreaks += '\n';
        this.li++;
        continue;
      }
      if (li < indent) break;
      text += pendingBreaks + l.slice(indent);
      pendingBreaks = '\n';
      this.li++;
    }
    // Trailing blank lines were consumed; the lines after them start the next node.
    if (chomp === 'strip') return text;
    if (chomp === 'clip') return `${text}\n`;
    return text + pendingBreaks;
  }
}

/**
 * Tabs, carriage returns, byte order marks, characters YAML does not allow in a stream, and surrogate pairs
 * (which the full parser checks pairwise): a text with any of them goes to the full parser.
 */
const UNUSUAL_CHARACTERS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]/;

/**
 * Reads `text` as a stream of block YAML documents, returning the non-empty ones, or `undefined` when the
 * text uses anything this reader leaves to the full parser.
 */
export function readBlockYaml(text: string, resolve: PlainResolver): unknown[] | undefined {
  if (UNUSUAL_CHARACTERS.test(text)) return undefined;
  // How a literal block scalar ends at the end of a text without a final line break is left to the full parser.
  if (!text.endsWith('\n') && text.includes('|')) return undefined;
  const lines = text.split('\n');
  // A final line break ends the last line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  try {
    return new Reader(lines, resolve).readAll();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}
