/**
 * The YAML 1.2 core schema's reading of a plain scalar, with exactly the rules of the js-yaml build the
 * full parser uses: `~`/`null` forms are null, `true`/`false` forms booleans, then integers (decimal, `0b`,
 * `0o`, `0x`, optionally signed), then floats (`.inf`, `.nan`, decimals and exponents); anything else is
 * the string itself.
 */

function isDecimal(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isOctal(c: number): boolean {
  return c >= 48 && c <= 55;
}

function integerValue(text: string): number {
  let value = text;
  let sign = 1;
  let c = value[0];
  if (c === '-' || c === '+') {
    if (c === '-') sign = -1;
    value = value.slice(1);
    c = value[0];
  }
  if (value === '0') return 0;
  if (c === '0') {
    if (value[1] === 'b') return sign * Number.parseInt(value.slice(2), 2);
    if (value[1] === 'x') return sign * Number.parseInt(value.slice(2), 16);
    if (value[1] === 'o') return sign * Number.parseInt(value.slice(2), 8);
  }
  return sign * Number.parseInt(value, 10);
}

function isInteger(text: string): boolean {
  const max = text.length;
  let i = 0;
  let c = text[i];
  if (c === '-' || c === '+') c = text[++i];
  if (c === '0') {
    if (i + 1 === max) return true;
    c = text[++i];
    const digit = c === 'b' ? isBinaryCode : c === 'x' ? isHex : c === 'o' ? isOctal : undefined;
    if (digit) {
      let any = false;
      for (i++; i < max; i++) {
        if (!digit(text.charCodeAt(i))) return false;
        any = true;
      }
      return any && Number.isFinite(integerValue(text));
    }
  }
  let any = false;
  for (; i < max; i++) {
    if (!isDecimal(text.charCodeAt(i))) return false;
    any = true;
  }
  return any && Number.isFinite(integerValue(text));
}

function isBinaryCode(c: number): boolean {
  return c === 48 || c === 49;
}

const FLOAT =
  /^(?:[-+]?(?:[0-9]+)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function floatValue(text: string): number {
  let value = text.toLowerCase();
  const sign = value[0] === '-' ? -1 : 1;
  if (value[0] === '-' || value[0] === '+') value = value.slice(1);
  if (value === '.inf') return sign === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (value === '.nan') return Number.NaN;
  return sign * Number.parseFloat(value);
}

/** The value of a plain (unquoted) scalar under the core schema. */
export function resolvePlainScalar(text: string): unknown {
  switch (text) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const c = text.charCodeAt(0);
  // Numbers start with a digit, a sign or a dot.
  if (!(isDecimal(c) || c === 45 || c === 43 || c === 46)) return text;
  if (isInteger(text)) return integerValue(text);
  if (FLOAT.test(text) && (Number.isFinite(Number.parseFloat(text)) || FLOAT_SPECIAL.test(text))) {
    return floatValue(text);
  }
  return text;
}
