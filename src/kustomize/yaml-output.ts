/**
 * The YAML form `kubectl kustomize` prints: keys sorted, sequences indented at their parent key, strings
 * quoted only when a YAML 1.1 reader would take them for something else, multi-line strings as literal
 * blocks and long lines folded at 80 columns, the way go-yaml v2's emitter writes them.
 */

const WIDTH = 80;

const YAML11_SPECIAL = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '',
]);
const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_RE = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const INT_RE =
  /^[-+]?(0[bB][01](_?[01])*|0[oO]?[0-7](_?[0-7])*|0[xX][0-9a-fA-F](_?[0-9a-fA-F])*|[0-9](_?[0-9])*)$/;
const BINARY_RE = /^[-+]?0b[01_]+$/;
const TIMESTAMP_RE =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/;

/** Reports whether go-yaml v2 would read `s`, unquoted, as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (YAML11_SPECIAL.has(s)) return true;
  const c = s.charCodeAt(0);
  const maybeNumber = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (!maybeNumber) return false;
  return INT_RE.test(s) || FLOAT_RE.test(s) || BASE60_RE.test(s) || BINARY_RE.test(s) || TIMESTAMP_RE.test(s);
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

const isBreak = (ch: string | undefined): boolean =>
  ch === '\n' || ch === '\r' || ch === '\u0085' || ch === '\u2028' || ch === '\u2029';
const isBlankZ = (ch: string | undefined): boolean =>
  ch === undefined || ch === ' ' || ch === '\t' || isBreak(ch);

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/** libyaml's scalar analysis: which styles may carry `value` unchanged. */
function analyze(value: string): Analysis {
  const chars = Array.from(value);
  if (chars.length === 0) {
    return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  }
  let flowInd = false;
  let blockInd = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    flowInd = true;
    blockInd = true;
  }
  let precededByWs = true;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const followedByWs = isBlankZ(chars[i + 1]);
    if (i === 0) {
      switch (ch) {
        case '#':
        case ',':
        case '[':
        case ']':
        case '{':
        case '}':
        case '&':
        case '*':
        case '!':
        case '|':
        case '>':
        case "'":
        case '"':
        case '%':
        case '@':
        case '`':
          flowInd = true;
          blockInd = true;
          break;
        case '?':
        case ':':
          flowInd = true;
          if (followedByWs) blockInd = true;
          break;
        case '-':
          if (followedByWs) {
            flowInd = true;
            blockInd = true;
          }
          break;
      }
    } else {
      switch (ch) {
        case ',':
        case '?':
        case '[':
        case ']':
        case '{':
        case '}':
          flowInd = true;
          break;
        case ':':
          flowInd = true;
          if (followedByWs) blockInd = true;
          break;
        case '#':
          if (precededByWs) {
            flowInd = true;
            blockInd = true;
          }
          break;
      }
    }
    const cp = ch.codePointAt(0)!;
    if (!isPrintable(cp)) special = true;
    if (isBreak(ch)) lineBreaks = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlankZ(ch);
  }
  const a: Analysis = {
    multiline: lineBreaks,
    flowPlain: true,
    blockPlain: true,
    singleQuoted: true,
    block: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || special) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.singleQuoted = false;
    a.block = false;
  }
  if (lineBreaks) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (flowInd) a.flowPlain = false;
  if (blockInd) a.blockPlain = false;
  return a;
}

/** `\n` followed by `i` spaces, for the indents in use. */
const NEWLINES: string[] = [];

function newlineAndIndent(indent: number): string {
  let s = NEWLINES[indent];
  if (s === undefined) {
    s = `\n${' '.repeat(indent)}`;
    NEWLINES[indent] = s;
  }
  return s;
}

/** Accumulates output while tracking the column, as the emitter does for folding. */
class Writer {
  out = '';
  column = 0;

  write(s: string): void {
    this.out += s;
    // Columns count characters; every caller passes text without line breaks.
    this.column += s.length;
  }

  newline(indent: number): void {
    this.out += newlineAndIndent(indent);
    this.column = indent;
  }
}

function writePlain(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  if (!allowBreaks || w.column + value.length <= WIDTH || value.indexOf(' ') < 0) {
    w.write(value);
    return;
  }
  let spaces = false;
  let buf = '';
  const chars = Array.from(value);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === ' ') {
      if (!spaces && w.column + buf.length > WIDTH && chars[i + 1] !== ' ') {
        w.write(buf);
        buf = '';
        w.newline(indent);
      } else buf += ch;
      spaces = true;
    } else {
      buf += ch;
      spaces = false;
    }
  }
  w.write(buf);
}

function writeSingleQuoted(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  const chars = Array.from(value);
  let buf = "'";
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === ' ') {
      if (
        allowBreaks &&
        !spaces &&
        w.column + buf.length > WIDTH &&
        i !== 0 &&
        i !== chars.length - 1 &&
        chars[i + 1] !== ' '
      ) {
        w.write(buf);
        buf = '';
        w.newline(indent);
      } else buf += ch;
      spaces = true;
    } else {
      buf += ch === "'" ? "''" : ch;
      spaces = false;
    }
  }
  w.write(`${buf}'`);
}

const ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\x0b': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1b': '\\e',
  '"': '\\"',
  '\\': '\\\\',
  '\u0085': '\\N',
  '\u00a0': '\\_',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

function writeDoubleQuoted(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  const chars = Array.from(value);
  let buf = '"';
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const cp = ch.codePointAt(0)!;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(ch) || ch === '"' || ch === '\\') {
      const e = ESCAPES[ch];
      if (e) buf += e;
      else if (cp <= 0xff) buf += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
      else if (cp <= 0xffff) buf += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      else buf += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
      spaces = false;
    } else if (ch === ' ') {
      if (allowBreaks && !spaces && w.column + buf.length > WIDTH && i !== 0 && i !== chars.length - 1) {
        w.write(buf);
        buf = '';
        w.newline(indent);
        if (chars[i + 1] === ' ') buf += '\\';
      } else buf += ch;
      spaces = true;
    } else {
      buf += ch;
      spaces = false;
    }
  }
  w.write(`${buf}"`);
}

function writeLiteral(w: Writer, value: string, indent: number): void {
  let header = '|';
  if (value.startsWith(' ') || isBreak(value[0])) header += '2';
  const last = value[value.length - 1];
  if (!isBreak(last)) header += '-';
  else if (value.length === 1 || isBreak(value[value.length - 2])) header += '+';
  w.write(header);
  const pad = ' '.repeat(indent);
  const lines = value.split('\n');
  // A trailing break ends the last line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    w.out += line === '' ? '\n' : `\n${pad}${line}`;
  }
  w.column = 0;
}

/**
 * Whether every style rule of {@link analyze} lets `s` be plain: an ASCII letter, digit or `_` first, then
 * only letters, digits, `_`, `-`, `.`, `/`, a `:` not followed by a space, or a space that does not end it.
 * Such strings need no escapes and no look at each character's printability.
 */
const PLAIN_CHARACTERS = /^[A-Za-z0-9_](?:[A-Za-z0-9_./-]|:(?=[^ ])| (?=.))*$/;

function hasOnlyPlainCharacters(s: string): boolean {
  return PLAIN_CHARACTERS.test(s);
}

/** Writes a string scalar in the style go-yaml v2 would choose; `indent` is where continuation lines start. */
function writeString(w: Writer, value: string, indent: number, isKey: boolean): void {
  if (hasOnlyPlainCharacters(value)) {
    // The common case, decided without the full analysis: plain unless it would read as another type
    // (only a few words when it starts with a letter).
    const c = value.charCodeAt(0);
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
    if (letter ? !YAML11_SPECIAL.has(value) : !resolvesToNonString(value) && !BASE60_RE.test(value)) {
      writePlain(w, value, indent, !isKey);
    } else writeDoubleQuoted(w, value, indent, !isKey);
    return;
  }
  const plainOk = !resolvesToNonString(value) && !BASE60_RE.test(value);
  const a = analyze(value);
  if (!isKey && value.includes('\n')) {
    if (a.block) {
      writeLiteral(w, value, indent);
      return;
    }
    writeDoubleQuoted(w, value, indent, true);
    return;
  }
  if (plainOk && a.blockPlain && !(isKey && a.multiline) && value.length > 0) {
    writePlain(w, value, indent, !isKey);
    return;
  }
  if (!plainOk || (isKey && a.multiline)) {
    if (isKey && a.multiline) {
      writeDoubleQuoted(w, value, indent, false);
      return;
    }
    writeDoubleQuoted(w, value, indent, !isKey);
    return;
  }
  if (a.singleQuoted) writeSingleQuoted(w, value, indent, !isKey);
  else writeDoubleQuoted(w, value, indent, !isKey);
}

/** Formats a number as Go's encoding/json then go-yaml v2 would. */
function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '+.inf' : '-.inf';
  const s = String(n);
  return s.replace(/e\+?/, 'e+').replace('e+-', 'e-');
}

function writeScalar(w: Writer, v: unknown, indent: number): void {
  if (v === null || v === undefined) w.write('null');
  else if (typeof v === 'string') writeString(w, v, indent, false);
  else if (typeof v === 'number') w.write(formatNumber(v));
  else if (typeof v === 'bigint') w.write(v.toString());
  else if (typeof v === 'boolean') w.write(v ? 'true' : 'false');
  else w.write(String(v));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

const isAsciiLetterCode = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

const NON_ASCII = /[^\x00-\x7f]/;

function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/** {@link goYamlKeyLess} for ASCII keys, on character codes. */
function asciiKeyLess(a: string, b: string): boolean {
  let digits = false;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ac = a.charCodeAt(i);
    const bc = b.charCodeAt(i);
    if (ac === bc) {
      digits = isDigitCode(ac);
      continue;
    }
    const al = isAsciiLetterCode(ac);
    const bl = isAsciiLetterCode(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ac === 48 || bc === 48) {
      for (let j = i - 1; j >= 0 && isDigitCode(a.charCodeAt(j)); j--) {
        if (a.charCodeAt(j) !== 48) {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < a.length && isDigitCode(a.charCodeAt(ai)); ai++) an = an * 10 + (a.charCodeAt(ai) - 48);
    for (; bi < b.length && isDigitCode(b.charCodeAt(bi)); bi++) bn = bn * 10 + (b.charCodeAt(bi) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return a.length < b.length;
}

/** go-yaml v2's key order: letters after other characters, runs of digits compared as numbers. */
export function goYamlKeyLess(a: string, b: string): boolean {
  if (isAscii(a) && isAscii(b)) return asciiKeyLess(a, b);
  const ar = Array.from(a);
  const br = Array.from(b);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]!);
      continue;
    }
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + (ar[ai]!.charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + (br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}

const compareKeys = (a: string, b: string): number => (a === b ? 0 : goYamlKeyLess(a, b) ? -1 : 1);
const compareAsciiKeys = (a: string, b: string): number => (a === b ? 0 : asciiKeyLess(a, b) ? -1 : 1);

function sortedKeys(m: Record<string, unknown>): string[] {
  const keys = Object.keys(m);
  const n = keys.length;
  if (n < 2) return keys;
  const compare = keys.every(isAscii) ? compareAsciiKeys : compareKeys;
  if (n > 16) return keys.sort(compare);
  // Maps are small: an insertion sort in place allocates nothing, where Array#sort copies every array.
  for (let i = 1; i < n; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && compare(keys[j]!, k) > 0) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** Writes a block mapping whose first key starts at the current position and the others at `indent`. */
function writeMap(
  w: Writer,
  m: Record<string, unknown>,
  indent: number,
  first: boolean,
  keys: string[] = sortedKeys(m),
): void {
  let isFirst = first;
  // Index loops: most of this code runs before it is optimized, where for-of allocates per element.
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (!isFirst) w.newline(indent);
    isFirst = false;
    writeString(w, k, indent, true);
    w.write(':');
    writeValue(w, m[k], indent);
  }
}

function writeSeq(w: Writer, s: unknown[], indent: number, first: boolean): void {
  let isFirst = first;
  for (let i = 0; i < s.length; i++) {
    const item = s[i];
    if (!isFirst) w.newline(indent);
    isFirst = false;
    w.write('- ');
    if (isMap(item)) {
      const keys = sortedKeys(item);
      if (keys.length > 0) writeMap(w, item, indent + 2, true, keys);
      else w.write('{}');
    } else if (Array.isArray(item)) {
      if (item.length > 0) writeSeq(w, item, indent + 2, true);
      else w.write('[]');
    } else writeScalar(w, item, indent + 2);
  }
}

/** Writes the value of a mapping entry whose key sits at `indent`. */
function writeValue(w: Writer, v: unknown, indent: number): void {
  if (isMap(v)) {
    const keys = sortedKeys(v);
    if (keys.length === 0) w.write(' {}');
    else {
      w.newline(indent + 2);
      writeMap(w, v, indent + 2, true, keys);
    }
  } else if (Array.isArray(v)) {
    if (v.length === 0) w.write(' []');
    else {
      w.newline(indent);
      writeSeq(w, v, indent, true);
    }
  } else {
    w.write(' ');
    writeScalar(w, v, indent + 2);
  }
}

/** Renders one document (without a `---` separator) as `kubectl kustomize` prints it. */
export function toYamlDocument(obj: unknown): string {
  const w = new Writer();
  if (isMap(obj)) {
    if (Object.keys(obj).length === 0) return '{}\n';
    writeMap(w, obj, 0, true);
  } else if (Array.isArray(obj)) {
    if (obj.length === 0) return '[]\n';
    writeSeq(w, obj, 0, true);
  } else writeScalar(w, obj, 0);
  const text = w.out;
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Renders objects as a YAML stream separated by `---` lines, as `kubectl kustomize` prints a build. */
export function toYamlStream(objects: readonly unknown[]): string {
  return objects.map(toYamlDocument).join('---\n');
}
