/** A writable text stream, as `process.stdout` is. */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * Where a command reads and writes: its output streams, whether they are terminals, the environment, and
 * a signal that stops long-running commands (`-w`). Commands never touch `process` directly, so tests run
 * them in-process with captured output.
 */
export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  /** True when stderr is a terminal: progress spinners are drawn only then. */
  stderrIsTTY: boolean;
  /** True when stdin is a terminal: confirmation prompts are asked only then. */
  stdinIsTTY: boolean;
  /** Environment variables (`KUBECONFIG`, `HOME`, `XDG_DATA_HOME`). */
  env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on a terminal; resolves to the answer. */
  confirm(question: string): Promise<boolean>;
  /** Stops watches and waits (Ctrl+C). */
  signal?: AbortSignal;
}

/** The {@link CliIO} of the running process: its streams, environment, and SIGINT as the stop signal. */
export function processIO(): CliIO {
  const controller = new AbortController();
  let listening = false;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: !!process.stderr.isTTY,
    stdinIsTTY: !!process.stdin.isTTY,
    env: process.env,
    async confirm(question) {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
    get signal() {
      if (!listening) {
        listening = true;
        process.once('SIGINT', () => controller.abort());
      }
      return controller.signal;
    },
  };
}
