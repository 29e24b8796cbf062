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
  /** Its /health once it started (healthy, or the last answer before giving up waiting). */
  health: HealthReport;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ChildSpec {
  name: string;
  configFile: string;
  logLevel?: string | undefined;
}

/** A child process that is loading its function's code, not started yet. */
export interface SpawnedChild {
  spec: ChildSpec;
  process: ChildProcess;
  /** Resolves when its code is loaded and its configuration valid; rejects if it exits first. */
  loaded: Promise<void>;
  /** Resolves with its ReadyMessage once started; rejects if it exits first. */
  ready: Promise<ReadyMessage>;
  exited: Child['exited'];
}

export interface SupervisorEvents {
  /** Each line a child writes (stdout: its pino JSON log; stderr: anything else). */
  line: [name: string, line: string, stream: 'stdout' | 'stderr'];
  /** A started child ended while not asked to. */
  died: [child: Child, code: number | null, signal: NodeJS.Signals | null];
}

/**
 * Runs network functions as child processes of `ims up`. All children load their code at once
 * (`spawn`), then start one at a time, each once the previous one serves (`start`); `stopAll`
 * stops them in reverse order. Children run in their own process group, so a Ctrl-C on the
 * terminal reaches `ims up` only and the order holds; each child also stops when its IPC
 * channel closes, so none outlives a killed `ims up`.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly children: Child[] = [];
  private readonly spawned: SpawnedChild[] = [];
  private stopping = false;

  spawn(spec: ChildSpec): SpawnedChild {
    const args = [BIN, 'run', spec.name, '--config', spec.configFile];
    if (spec.logLevel) args.push('--log-level', spec.logLevel);
    const proc = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
      env: { ...process.env, IMS_UP_CHILD: '1' },
    });
    const lastWords: string[] = [];
    let onReady: (m: ReadyMessage) => void = () => undefined;
    const streamsClosed: Promise<unknown>[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: proc[stream]! });
      streamsClosed.push(once(lines, 'close'));
      lines.on('line', (line) => {
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
    // Its last words (stderr) explain an early exit: quoted once both streams are read.
    const failed = exited.then(async ({ code, signal }) => {
      await Promise.race([Promise.all(streamsClosed), new Promise((r) => setTimeout(r, 1000))]);
      return new Error(`${spec.name} did not start: ${lastWords.at(-1) ?? `exit ${code ?? signal}`}`);
    });
    const loaded = new Promise<void>((resolve, reject) => {
      proc.on('message', (m: { type?: string }) => {
        if (m?.type === 'loaded') resolve();
      });
      failed.then(reject);
    });
    const ready = new Promise<ReadyMessage>((resolve, reject) => {
      onReady = resolve;
      failed.then(reject);
    });
    // Whoever awaits them gets the rejection; these only keep it from being unhandled.
    loaded.catch(() => undefined);
    ready.catch(() => undefined);
    const spawned: SpawnedChild = { spec, process: proc, loaded, ready, exited };
    this.spawned.push(spawned);
    return spawned;
  }

  /** Starts a spawned child; resolves once it serves (and is healthy, or 10 s passed). */
  async start(spawned: SpawnedChild, timeoutMs = 60_000): Promise<Child> {
    const { spec, process: proc } = spawned;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`${spec.name} did not start within ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
    let ready: ReadyMessage;
    try {
      await Promise.race([spawned.loaded, timeout]);
      proc.send({ type: 'start' });
      ready = await Promise.race([spawned.ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const child: Child = {
      name: spec.name,
      pid: proc.pid!,
      process: proc,
      http: ready.http,
      health: ready.health as HealthReport,
      exited: spawned.exited,
    };
    this.children.push(child);
    spawned.exited.then(({ code, signal }) => {
      if (!this.stopping) this.emit('died', child, code, signal);
    });
    // Serving is not yet healthy (a CSCF's Diameter peer may still be connecting): the next
    // function starts once this one is, or after a while anyway (`ims status` shows it later).
    if (!child.health.healthy && child.http)
      child.health = await waitHealthy(child.http, child.health, 10_000);
    return child;
  }

  /**
   * SIGTERM to each started child, last started first, each awaited (SIGKILL after
   * `timeoutMs`); children spawned but not started are ended too.
   */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    const started = new Set(this.children.map((c) => c.process));
    const order = [
      ...this.children
        .slice()
        .reverse()
        .map((c) => ({ process: c.process, exited: c.exited })),
      ...this.spawned.filter((s) => !started.has(s.process)),
    ];
    for (const child of order) {
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
