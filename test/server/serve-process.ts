import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A synchronous client (RemoteEnv) blocks its thread, so the server it talks to runs in another
// process: the built binary (`npm run build`, which `npm ci` runs).
export const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** `recgym serve` in a child process, its JSON log lines, and how to stop it. */
export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  /** Sends `signal` and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node dist/src/cli/main.js serve --port 0 ...args` and waits for its `listening` line. */
export function startServeProcess(args: string[] = []): Promise<ServeProcess> {
  return startLoggingProcess('serve', args, 'listening');
}

/** Starts `node dist/src/cli/main.js COMMAND --port 0 ...args` and waits for the JSON log line whose msg is `ready`; `url` is that line's. */
export function startLoggingProcess(command: string, args: string[], ready: string): Promise<ServeProcess> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build`);
  const child = spawn(process.execPath, [BIN, command, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        lines.push(line);
        if (line.msg === ready) {
          resolve({
            url: line.url as string,
            child,
            lines,
            stop(signal = 'SIGTERM') {
              if (child.exitCode === null && child.signalCode === null) child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    void exited.then((code) => reject(new Error(`recgym ${command} exited with ${code} before ${ready}: ${stderr}`)));
  });
}
