/**
 * Our IMS core as the system under test: `node bin/ims.js up --data DIR` (HSS, S-CSCF, I-CSCF,
 * P-CSCF as child processes on the demo ports, the P-CSCF on 127.0.0.1:5060), its output to a
 * log file, ready once DIR/ims-up.json names the running functions. CPU and memory are read per
 * child from /proc by the pids in that file; stopped with SIGINT to `ims up` by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isBound } from '../../test/interop/helpers/free-port.ts';
import { processCpuSeconds, rssKb } from './proc-stats.ts';
import type { SystemUnderTest } from './sipp-load.ts';

const BIN = new URL('../../bin/ims.js', import.meta.url).pathname;

/** The demo topology's ports `ims up` binds (they must be free). */
const DEMO_PORTS: { protocol: 'udp' | 'tcp'; port: number }[] = [
  { protocol: 'udp', port: 5060 },
  { protocol: 'udp', port: 4060 },
  { protocol: 'udp', port: 6060 },
  { protocol: 'tcp', port: 3868 },
  { protocol: 'tcp', port: 8080 },
];

interface UpState {
  pid: number;
  functions: { name: string; pid: number }[];
}

export interface ImsUpServer extends SystemUnderTest {
  pid: number;
  /** Running functions by name → pid, plus "ims up" itself. */
  processes: Map<string, number>;
  /** VmRSS per process, KiB. */
  memoryKb(): Map<string, number>;
  logTail(lines?: number): string;
  /** Log lines at WARN or above (or anything not a log line), at most `max`. */
  warnings(max?: number): string[];
  stop(): Promise<void>;
}

export interface ImsUpOptions {
  dataDir: string;
  logFile: string;
  /** Log level of every function (the ims.yaml `log.level`). */
  logLevel: string;
  /** More of ims.yaml (sections of the functions), appended after the log level. */
  yaml?: string;
  /** Extra environment (NODE_OPTIONS for the CPU profile). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** How long to wait for the demo ports to be free (default 5 min). */
  portWaitMs?: number;
}

export async function startImsUp(o: ImsUpOptions): Promise<ImsUpServer> {
  // Other work on the machine may hold a demo port for a while (a test of `ims up`): wait for it.
  const portsDeadline = Date.now() + (o.portWaitMs ?? 300_000);
  for (;;) {
    const busy: string[] = [];
    for (const { protocol, port } of DEMO_PORTS)
      if (await isBound(protocol, port)) busy.push(`${protocol} ${port}`);
    if (busy.length === 0) break;
    if (Date.now() > portsDeadline) {
      throw new Error(`${busy.join(', ')} in use: ims up needs the demo ports (another ims up running?)`);
    }
    await sleep(2000);
  }
  const configFile = join(o.dataDir, 'bench-ims.yaml');
  writeFileSync(configFile, `log:\n  level: ${o.logLevel}\n${o.yaml ?? ''}\n`);
  const log = openSync(o.logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'up', '--config', configFile, '--data', o.dataDir],
    {
      stdio: ['ignore', log, log],
      env: { ...process.env, ...o.env },
    },
  );
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const readLog = () => readFileSync(o.logFile, 'utf8');
  const logTail = (lines = 30) => readLog().split('\n').slice(-lines).join('\n');
  const stop = async () => {
    if (exited) return;
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exit;
    clearTimeout(killer);
  };
  const stateFile = join(o.dataDir, 'ims-up.json');
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let state: UpState | undefined;
  while (!state && !exited && Date.now() < deadline) {
    try {
      state = JSON.parse(readFileSync(stateFile, 'utf8')) as UpState;
    } catch {
      await sleep(250);
    }
  }
  if (!state) {
    await stop();
    throw new Error(`ims up did not become ready:\n${logTail()}`);
  }
  const processes = new Map<string, number>(state.functions.map((f) => [f.name, f.pid]));
  processes.set('ims-up', child.pid!);
  return {
    name: 'ours',
    target: '127.0.0.1:5060',
    pid: child.pid!,
    processes,
    cpu: () => new Map([...processes].map(([name, pid]) => [name, processCpuSeconds(pid)])),
    memoryKb: () => new Map([...processes].map(([name, pid]) => [name, rssKb(pid)])),
    logTail,
    warnings(max = 20) {
      return readLog()
        .split('\n')
        .filter((l) => /\b(WARN|ERROR|FATAL)\b|died|Error/.test(l))
        .slice(0, max);
    },
    stop,
  };
}
