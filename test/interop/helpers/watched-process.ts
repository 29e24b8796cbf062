/**
 * A child process a real-client driver runs (baresip, linphonec, kamailio, tshark): its output
 * collected, bounded waits on what it prints or on any state the driver updates, and a stop that
 * always ends the process (by its PID: a graceful step, then SIGKILL after a timeout).
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class WatchedProcess {
  readonly child: ChildProcess;
  /** Everything the process printed on stdout and stderr, interleaved as received. */
  output = '';
  /** Set once the process has exited. */
  exit: ProcessExit | undefined;
  readonly exited: Promise<ProcessExit>;
  /** Emits 'change' whenever output arrives, the process exits, or the driver calls changed(). */
  private readonly changes = new EventEmitter();

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: SpawnOptions = {},
  ) {
    this.changes.setMaxListeners(100);
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    const append = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      this.changed();
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    // A process gone before we write to its stdin must not crash the test run.
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.output += `\n[${name}: spawn error: ${err.message}]\n`;
        this.exit ??= { code: null, signal: null };
        this.changed();
        resolve(this.exit);
      });
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.changed();
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Wakes the waiters: the driver calls it when its own state (parsed events) changed. */
  changed(): void {
    this.changes.emit('change');
  }

  /**
   * Resolves with the first defined value `probe` returns, checked now and on every change;
   * rejects after `timeoutMs`, or when the process exits before the probe succeeds.
   */
  waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let value: T | undefined;
        try {
          value = probe();
        } catch (err) {
          finish();
          reject(err);
          return true;
        }
        if (value !== undefined) {
          finish();
          resolve(value);
          return true;
        }
        if (this.exit) {
          finish();
          reject(this.failure(`${what}: the process exited (${this.describeExit()}) first`));
          return true;
        }
        return false;
      };
      const onChange = () => void check();
      const timer = setTimeout(() => {
        finish();
        reject(this.failure(`${what}: not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.changes.off('change', onChange);
      };
      if (!check()) this.changes.on('change', onChange);
    });
  }

  /** Waits until the output (from offset `from`) matches `pattern`; resolves with the match. */
  waitForOutput(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return this.waitUntil(
      () => this.output.slice(from).match(pattern) ?? undefined,
      timeoutMs,
      `${this.name}: output ${pattern}`,
    );
  }

  /** Writes one line on the process's stdin. */
  writeLine(line: string): void {
    if (this.exit || !this.child.stdin?.writable) {
      throw new Error(`${this.name}: cannot send "${line}": the process has exited (${this.describeExit()})`);
    }
    this.child.stdin.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exit || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /**
   * Stops the process: `graceful` first (e.g. a quit command), SIGTERM after `graceMs`, SIGKILL
   * 2 s later. Resolves once it has exited.
   */
  async stop(graceful: () => void | Promise<void>, graceMs = 3000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    try {
      await graceful();
    } catch {
      // The process may already be on its way out; the signals below cover it.
    }
    const term = setTimeout(() => this.signal('SIGTERM'), graceMs);
    const kill = setTimeout(() => this.signal('SIGKILL'), graceMs + 2000);
    const result = await this.exited;
    clearTimeout(term);
    clearTimeout(kill);
    return result;
  }

  describeExit(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }

  /** An error naming the process and showing the end of its output. */
  failure(message: string): Error {
    const tail = this.output.length > 4000 ? `…${this.output.slice(-4000)}` : this.output;
    return new Error(`${message}\n--- ${this.name} output ---\n${tail}`);
  }
}

/** True when a process with this PID still exists (for the "nothing left running" checks). */
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
