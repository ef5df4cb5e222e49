// `sig serve` as a child process (a second server, or one to kill with SIGKILL), started with tsx like the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');
const bin = resolve(repoRoot, 'node_modules/.bin/sig');

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/** Starts `sig serve --port 0 ...args` with `env` added and waits for its "listening on" line. */
export async function spawnServe(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ServeProcess> {
  const child = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--inference-threads', '0', '--preprocess-threads', '0', ...args], {
    cwd: repoRoot,
    env: { ...process.env, SIG_EXECUTION_PROVIDERS: 'cpu', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`sig serve did not start in ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        logs.push(line);
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolveUrl(`http://127.0.0.1:${m[1]}`);
        }
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sig serve exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  return { url, child, logs, exited };
}
