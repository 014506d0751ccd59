import { InvalidSpecError } from './errors.js';

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go duration (`1m30s`, `500ms`, `1.5h`, `-2s`, `0`) into milliseconds, as Go's
 * `time.ParseDuration` reads it. Throws {@link InvalidSpecError} for anything else.
 */
export function parseDuration(text: string): number {
  const invalid = () => new InvalidSpecError(`Invalid duration ${JSON.stringify(text)}: expected e.g. 1m30s`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/u;
  let ns = 0;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') throw invalid();
    ns += Number(m[1]) * (UNIT_NS[m[2]!] as number);
    s = s.slice(m[0].length);
  }
  return (sign * ns) / 1e6;
}

function fraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = value / scale;
  let frac = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  if (frac !== '') frac = `.${frac}`;
  return `${whole}${frac}`;
}

/**
 * Formats milliseconds the way Go's `time.Duration.String()` does (`1m30s`, `1h0m0s`, `500ms`, `0s`), which
 * is how Flux prints durations in messages.
 */
export function formatDuration(ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6));
  const negative = ns < 0n;
  if (negative) ns = -ns;
  const sign = negative ? '-' : '';
  if (ns === 0n) return '0s';
  if (ns < 1000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${fraction(ns, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${fraction(ns, 6)}ms`;
  const hours = ns / 3_600_000_000_000n;
  const minutes = (ns / 60_000_000_000n) % 60n;
  const seconds = fraction(ns % 60_000_000_000n, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
