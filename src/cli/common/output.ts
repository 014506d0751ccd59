import { stringify } from 'yaml';
import { SluiceError } from '../../api/index.js';
import type { CliIO } from './io.js';

/** Output formats of `-o`. */
export type OutputFormat = 'table' | 'yaml' | 'json';

/** Parses an `-o` value; throws a clear error for anything else. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '' || value === 'table') return 'table';
  if (value === 'yaml' || value === 'json') return value;
  throw new SluiceError('InvalidFlag', `Output format ${value} is not supported: use yaml or json`);
}

/** Renders rows as a table with a header, columns separated by three spaces, like kubectl. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** Renders objects as a YAML stream (`---` before each) or as JSON (one object, or a `List`). */
export function formatObjects(objects: readonly unknown[], format: 'yaml' | 'json'): string {
  if (format === 'json') {
    const value = objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

/** Flux-style progress lines on stderr: `►` action, `✔` success, `◎` waiting, `✗` failure, `⚠️` warning. */
export class Logger {
  readonly #io: CliIO;
  constructor(io: CliIO) {
    this.#io = io;
  }
  /** `► message`. */
  action(message: string): void {
    this.#io.stderr.write(`► ${message}\n`);
  }
  /** `✔ message`. */
  success(message: string): void {
    this.#io.stderr.write(`✔ ${message}\n`);
  }
  /** `◎ message`. */
  waiting(message: string): void {
    this.#io.stderr.write(`◎ ${message}\n`);
  }
  /** `✗ message`. */
  failure(message: string): void {
    this.#io.stderr.write(`✗ ${message}\n`);
  }
  /** `⚠️ message`. */
  warning(message: string): void {
    this.#io.stderr.write(`⚠️ ${message}\n`);
  }
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner on stderr while a long wait runs; drawn only when stderr is a terminal. */
export interface Spinner {
  /** Changes the text after the spinner. */
  update(text: string): void;
  /** Removes the spinner line. */
  stop(): void;
}

/** Starts a {@link Spinner} with `text` (a no-op when stderr is not a terminal). */
export function startSpinner(io: CliIO, text: string): Spinner {
  if (!io.stderrIsTTY) return { update() {}, stop() {} };
  let frame = 0;
  let current = text;
  const draw = () => {
    io.stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref?.();
  return {
    update(t) {
      current = t;
    },
    stop() {
      clearInterval(timer);
      io.stderr.write('\r\x1b[2K');
    },
  };
}

/** Formats an age like kubectl: `45s`, `3m`, `2h`, `4d`. */
export function formatAge(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
