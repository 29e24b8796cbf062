/** `ims` as a child process, as an operator runs it, with its JSON log lines collected. */
import { type ChildProcess, spawn } from 'node:child_process';

const bin = new URL('../../../../bin/ims.js', import.meta.url).pathname;

export interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves with the first log line whose msg is `msg`. */
  logged(msg: string): Promise<Record<string, unknown>>;
}

/** Starts `ims <args>` and collects its JSON log lines. */
export function runIms(args: string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => x.msg === line.msg)) w.resolve(line);
      nl = buffer.indexOf('\n');
    }
  });
  const logged = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no '${msg}' log line`)), 30_000);
      waiters.push({
        msg,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  return { child, lines, logged };
}
