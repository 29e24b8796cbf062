/**
 * Runs SIPp (Debian `sip-tester`) as a real peer: every run bounded (-m, -timeout with
 * -timeout_error, -recv_timeout, and a kill-by-PID backstop), never reading a terminal
 * (-nostdin), and judged from its -trace_stat CSV (SuccessfulCall(C), FailedCall(C)), not
 * from the screen.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isBound } from './free-port.ts';

/** The folder of our scenario files. */
export const SCENARIOS = new URL('../sipp/', import.meta.url).pathname;

/** Throws a clear error when SIPp is not installed (CI installs it through .ci/run). */
export function requireSipp(): string {
  const r = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  const version = `${r.stdout ?? ''}${r.stderr ?? ''}`.match(/SIPp v[\w.-]*\w/)?.[0];
  if (r.error || !version) {
    throw new Error(
      'sipp is not installed: these interop tests need SIPp (Debian package sip-tester; ' +
        '.ci/run installs it, locally run `apt-get install sip-tester`)',
    );
  }
  return version;
}

export interface SippOptions {
  /** For the files it writes (stat CSV, errors). */
  name: string;
  /** Scenario file name in test/interop/sipp/, or an absolute path. */
  scenario: string;
  /** Directory for the CSV and error files (the process's working directory too). */
  dir: string;
  /** Our local SIP port (-p); the same port number must be free for the transport used. */
  port: number;
  /** The peer (UAC only): host:port. */
  remote?: string;
  transport?: 'udp' | 'tcp';
  /** -m: calls to complete before exiting. */
  calls: number;
  /** -r: calls per second (UAC). */
  rate?: number;
  /** -l: simultaneous calls at most. */
  limit?: number;
  /** -s: the user part of the Request-URI ([service]). */
  service?: string;
  /** -lost: percentage of messages SIPp drops, sent and received. */
  lost?: number;
  /** -d: the duration of `<pause/>` in ms. */
  pauseMs?: number;
  /** -key name value: [name] in the scenario. */
  keys?: Record<string, string>;
  /** -timeout: the whole run, seconds; SIPp fails (-timeout_error) when it is reached. */
  timeoutS?: number;
  /** -recv_timeout in ms: a call waiting longer for a message fails. */
  recvTimeoutMs?: number;
  extraArgs?: string[];
}

export interface SippStats {
  successful: number;
  failed: number;
  retransmissions: number;
  /** Every column of the last line of the -trace_stat CSV. */
  columns: Record<string, string>;
}

export interface SippResult extends SippStats {
  name: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stderr, then the start of the error file: for assertion messages. */
  diagnostics: string;
}

const SIPP_STAT_SEPARATOR = ';';

/** The last line of a SIPp -trace_stat CSV, by column name. */
export function parseSippStats(csv: string): SippStats {
  const lines = csv.split('\n').filter((l) => l.trim().length > 0);
  const header = lines[0]?.split(SIPP_STAT_SEPARATOR) ?? [];
  const last = lines.length > 1 ? lines[lines.length - 1]!.split(SIPP_STAT_SEPARATOR) : [];
  const columns: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name) columns[name] = last[i] ?? '';
  });
  const num = (name: string) => Number(columns[name] ?? 0) || 0;
  return {
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    retransmissions: num('Retransmissions(C)'),
    columns,
  };
}

/** A running SIPp. `result` settles when it exits (or is stopped). */
export class SippProcess {
  readonly result: Promise<SippResult>;
  private readonly child: ChildProcess;
  private readonly backstop: NodeJS.Timeout;
  private exited = false;
  private stderr = '';

  constructor(readonly options: SippOptions) {
    const args = sippArgs(options);
    this.child = spawn('sipp', args, { cwd: options.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (d: string) => {
      if (this.stderr.length < 4000) this.stderr += d;
    });
    // A backstop in case SIPp ignores its own -timeout: stopped by its PID.
    const limitMs = ((options.timeoutS ?? 60) + 15) * 1000;
    this.backstop = setTimeout(() => this.stop('SIGKILL'), limitMs);
    this.backstop.unref();
    this.result = new Promise<SippResult>((resolve) => {
      const done = (exitCode: number | null, signal: NodeJS.Signals | null) => {
        this.exited = true;
        clearTimeout(this.backstop);
        resolve(this.collect(exitCode, signal));
      };
      this.child.once('error', (err) => {
        this.stderr += String(err);
        done(null, null);
      });
      this.child.once('exit', done);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Waits until SIPp has bound its port (a UAS must listen before the proxy forwards to it). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const protocol = this.options.transport ?? 'udp';
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`sipp ${this.options.name} exited at start: ${this.stderr}`);
      if (await isBound(protocol, this.options.port)) return;
      await sleep(50);
    }
    throw new Error(`sipp ${this.options.name} did not bind ${protocol} port ${this.options.port}`);
  }

  /** Stops SIPp by its PID (never by name); resolves once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // Already gone.
    }
    const killer = setTimeout(() => {
      if (!this.exited && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
    }, 3000);
    killer.unref();
    await this.result;
    clearTimeout(killer);
  }

  private async collect(exitCode: number | null, signal: NodeJS.Signals | null): Promise<SippResult> {
    const { dir, name } = this.options;
    const csv = await readFile(join(dir, `${name}.csv`), 'utf8').catch(() => '');
    const errors = await readFile(join(dir, `${name}.err`), 'utf8').catch(() => '');
    return {
      name,
      exitCode,
      signal,
      ...parseSippStats(csv),
      diagnostics: `${this.stderr.trim()}\n${errors.slice(0, 3000)}`.trim(),
    };
  }
}

function sippArgs(o: SippOptions): string[] {
  const scenario = o.scenario.startsWith('/') ? o.scenario : join(SCENARIOS, o.scenario);
  const args = [
    ...(o.remote ? [o.remote] : []),
    '-sf',
    scenario,
    '-i',
    '127.0.0.1',
    '-p',
    String(o.port),
    '-t',
    o.transport === 'tcp' ? 't1' : 'u1',
    '-m',
    String(o.calls),
    '-nostdin',
    '-timeout',
    `${o.timeoutS ?? 60}s`,
    '-timeout_error',
    '-recv_timeout',
    String(o.recvTimeoutMs ?? 10_000),
    '-trace_stat',
    '-stf',
    `${o.name}.csv`,
    '-fd',
    '1',
    '-trace_err',
    '-error_file',
    `${o.name}.err`,
    // A UDP buffer that holds a burst at high call rates.
    '-buff_size',
    String(4 * 1024 * 1024),
  ];
  if (o.rate !== undefined) args.push('-r', String(o.rate), '-rp', '1000');
  if (o.limit !== undefined) args.push('-l', String(o.limit));
  if (o.service !== undefined) args.push('-s', o.service);
  if (o.lost !== undefined) args.push('-lost', String(o.lost));
  args.push('-d', String(o.pauseMs ?? 0));
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, v);
  args.push(...(o.extraArgs ?? []));
  return args;
}

/** Every SIPp a test started, to stop in an `after()` hook whatever happened. */
export class SippGroup {
  private readonly all = new Set<SippProcess>();

  start(options: SippOptions): SippProcess {
    const p = new SippProcess(options);
    this.all.add(p);
    void p.result.then(() => this.all.delete(p));
    return p;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.all].map((p) => p.stop()));
  }
}

/** An assertion message naming the run and what SIPp said. */
export function describeRun(r: SippResult): string {
  return (
    `${r.name}: exit ${r.exitCode ?? r.signal}, successful ${r.successful}, failed ${r.failed}, ` +
    `retransmissions ${r.retransmissions}\n${r.diagnostics}`
  );
}
