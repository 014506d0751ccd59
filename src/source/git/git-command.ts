import { execFile } from 'node:child_process';
import { SourceError, SourceErrorCode } from '../errors.js';

/** Output of one git run. */
export interface GitRun {
  stdout: string;
  stderr: string;
}

/** Runs one git command; a non-zero exit becomes a `SourceError` classified from stderr. */
export function runGit(
  git: string,
  args: string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; signal: AbortSignal; url: string; what: string },
): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      git,
      args,
      {
        cwd: opts.cwd,
        env: opts.env,
        signal: opts.signal,
        maxBuffer: 64 * 1024 * 1024,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr });
          return;
        }
        reject(classify(err, String(stderr), opts));
      },
    );
  });
}

function classify(
  err: Error,
  stderr: string,
  opts: { signal: AbortSignal; url: string; what: string },
): SourceError {
  if (opts.signal.aborted) {
    const reason = opts.signal.reason;
    const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
    return new SourceError(
      timedOut ? SourceErrorCode.GitOperationFailed : SourceErrorCode.Canceled,
      `Git ${opts.what} of '${opts.url}' ${timedOut ? 'timed out' : 'was canceled'}`,
      { cause: reason },
    );
  }
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) =>
        l !== '' &&
        !l.startsWith('hint:') &&
        !/^Warning: Permanently added/.test(l) &&
        !/^Please make sure you have the correct access rights|^and the repository exists/.test(l),
    );
  const detail = lines.slice(-2).join(': ') || err.message;
  const auth =
    /Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|Permission denied \(publickey|Permission denied, please try again/i.test(
      stderr,
    );
  return new SourceError(
    auth ? SourceErrorCode.AuthenticationFailed : SourceErrorCode.GitOperationFailed,
    `Git ${opts.what} of '${opts.url}' failed: ${detail}`,
    { cause: err },
  );
}
