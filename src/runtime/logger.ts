import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** `trace`, `debug`, `info`, `warn`, `error` or `silent`. Default: `info`. */
  level?: string;
  /** Where JSON lines go. Default: standard output. */
  destination?: DestinationStream;
  /** Fields on every line, e.g. `{ controller: 'kustomize-controller' }`. */
  base?: Record<string, unknown>;
}

/** Creates a JSON logger (pino) with ISO times and `level` as a word, as Flux controllers log. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
    },
    options.destination,
  );
}
