import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { createInterface } from 'node:readline';
import type { HealthReport } from '../functions/host/index.ts';
import type { ReadyMessage } from './run.ts';

const READY_PREFIX = '{"imsReady":';
const BIN = new URL('../../bin/ims.js', import.meta.url).pathname;

/** A function running in a child process (`ims run <name> --config FILE`). */
export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** `http://host:port` of its /health and /metrics. */
  http: string | undefined;
  /** Its /health when it said it was ready. */
  health: HealthReport;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ChildSpec {
  name: string;
  configFile: string;
  logLevel?: string | undefined;
}

export interface SupervisorEvents {
  /** Each line a child writes (stdout: its pino JSON log; stderr: anything else). */
  line: [name: string, line: string, stream: 'stdout' | 'stderr'];
  /** A child ended while not asked to. */
  died: [child: Child, code: number | null, signal: NodeJS.Signals | null];
}

/**
 * Runs network functions as child processes of `ims up`: one at a time, each started once the
 * previous one said it was ready; stops them in reverse order. Children run in their own
 * process group, so a Ctrl-C on the terminal reaches `ims up` only and the order holds; each
 * child also stops when its IPC channel closes, so none outlives a killed `ims up`.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly children: Child[] = [];
  private stopping = false;

  /** Starts one function; resolves when it serves, rejects with its last words if it exits first. */
  async start(spec: ChildSpec, timeoutMs = 60_000): Promise<Child> {
    const args = [BIN, 'run', spec.name, '--config', spec.configFile];
    if (spec.logLevel) args.push('--log-level', spec.logLevel);
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    const lastWords: string[] = [];
    let onReady: (m: ReadyMessage) => void = () => undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: proc[stream]! }).on('line', (line) => {
        if (stream === 'stdout' && line.startsWith(READY_PREFIX)) {
          onReady((JSON.parse(line) as { imsReady: ReadyMessage }).imsReady);
          return;
        }
        if (stream === 'stderr') lastWords.push(line);
        if (lastWords.length > 5) lastWords.shift();
        this.emit('line', spec.name, line, stream);
      });
    }
    const exited = once(proc, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`${spec.name} did not start within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      onReady = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        // Let the last lines of stderr arrive before quoting them.
        setImmediate(() => {
          const why = lastWords.at(-1) ?? `exit ${code ?? signal}`;
          reject(new Error(`${spec.name} did not start: ${why}`));
        });
      });
    });
    const child: Child = {
      name: spec.name,
      pid: proc.pid!,
      process: proc,
      http: ready.http,
      health: ready.health as HealthReport,
      exited,
    };
    // Serving is not yet healthy (a CSCF's Diameter peer may still be connecting): the next
    // function starts once this one is, or after a while anyway (`ims status` shows it later).
    if (!child.health.healthy && child.http)
      child.health = await waitHealthy(child.http, child.health, 10_000);
    this.children.push(child);
    exited.then(({ code, signal }) => {
      if (!this.stopping) this.emit('died', child, code, signal);
    });
    return child;
  }

  /** SIGTERM to each child, last started first, each awaited (SIGKILL after `timeoutMs`). */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const child of this.children.slice().reverse()) {
      if (child.process.exitCode !== null || child.process.signalCode !== null) continue;
      child.process.kill('SIGTERM');
      const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
      await child.exited;
      clearTimeout(timer);
    }
  }
}

/** Polls `/health` until it answers 200 or `withinMs` passes; returns the last report. */
async function waitHealthy(http: string, last: HealthReport, withinMs: number): Promise<HealthReport> {
  const until = Date.now() + withinMs;
  let report = last;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const res = await fetch(`${http}/health`, { signal: AbortSignal.timeout(1000) });
      report = (await res.json()) as HealthReport;
      if (res.status === 200) return report;
    } catch {
      // Not answering for a moment: try again.
    }
  }
  return report;
}
