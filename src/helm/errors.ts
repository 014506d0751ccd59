import { SluiceError } from '../api/index.js';

/** Codes of {@link HelmError}. */
export const HelmErrorCode = {
  /** helm exited non-zero; the message is helm's own error text. */
  CommandFailed: 'HelmCommandFailed',
  /** The release does not exist. */
  ReleaseNotFound: 'HelmReleaseNotFound',
  /** helm's output could not be read. */
  OutputInvalid: 'HelmOutputInvalid',
} as const;

/** A failed helm run. The message keeps helm's error text verbatim (without its `Error: ` prefix). */
export class HelmError extends SluiceError {
  /** The helm subcommand, e.g. `install`. */
  readonly action: string;
  /** helm's exit code, when it ran. */
  readonly exitCode: number | undefined;

  constructor(
    code: string,
    action: string,
    message: string,
    options: { cause?: unknown; exitCode?: number } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.action = action;
    this.exitCode = options.exitCode;
  }
}
