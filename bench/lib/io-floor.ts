/**
 * The "IO floor" of the IMS digest registration message pattern (issue #9): the same messages
 * as `ims up` moves for one registration (16 SIP datagrams of 700 bytes between UE, P-, I- and
 * S-CSCF, 4 Diameter request/answer pairs of 300 bytes over TCP to the HSS), relayed by four
 * trivial Node processes (bench/lib/io-floor-relay.mjs) that parse nothing and keep no state.
 * What they reach, measured in the same run as our chain, is what this machine and Node's
 * socket I/O permit for the pattern; the CPU they spend per registration is the part of ours
 * that is not our code.
 *
 * Every port is a free one (test/interop/helpers/free-port.ts), everything on 127.0.0.1; every
 * wait is bounded; the relays are killed at the end, on error and when this process exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePorts } from '../../test/interop/helpers/free-port.ts';
import { CpuMeter, processCpuSeconds, udpReceiveErrors } from './proc-stats.ts';
import type { StepResult } from './sipp-load.ts';

const RELAY = new URL('./io-floor-relay.mjs', import.meta.url).pathname;
export const IO_FLOOR_ROLES = ['hss', 'pcscf', 'icscf', 'scscf'] as const;
export type IoFloorRole = (typeof IO_FLOOR_ROLES)[number];
/** SIP datagrams (all, and those the relays send) and Diameter requests of one registration. */
export const IO_FLOOR_PATTERN = { sipDatagrams: 16, relaySipDatagrams: 14, diameterRequests: 4 } as const;

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 3_000;

/** The counters a relay prints when it stops. */
export interface RelayCounters {
  received: number;
  sent: number;
  diameterRequests: number;
  sendErrors: number;
  unknown: number;
}

/** One step of the floor: a StepResult (the report's shape) plus latency quantiles and CPU per registration. */
export interface IoFloorStepResult extends StepResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU ms of the four relays together per completed registration. */
  cpuMsPerRegistration: number;
  /** CPU ms of the UE generator per completed registration (SIPp's share, in ours). */
  ueCpuMsPerRegistration: number;
}

export interface IoFloorSeries {
  steps: IoFloorStepResult[];
  /** Highest offered rate of a clean step (0: none). */
  best: number;
  /** True when a step was not clean (the limit was found, not just the end of the rate list). */
  limitFound: boolean;
  /** Seconds waited after the last REGISTER before the missing ones count as lost. */
  graceS: number;
  /** What each relay counted over the whole series, warm-up included (a check of the pattern). */
  counters: Partial<Record<IoFloorRole, RelayCounters>>;
  /** Registrations completed over the series, warm-up included (what the counters count). */
  completed: number;
  note?: string;
}

function childEnv(): NodeJS.ProcessEnv {
  // Plain node: no tsx or profiler preloads from the bench's NODE_OPTIONS.
  const { NODE_OPTIONS: _, ...env } = process.env;
  return env;
}

function portArgs(ports: Record<string, number>): string[] {
  return Object.entries(ports).map(([k, v]) => `${k}=${v}`);
}

/** Resolves with the process's output once it exits (killed after `timeoutMs` when given). */
function collect(
  child: ChildProcess,
  timeoutMs?: number,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise((resolve) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

/** The four relays of the floor, running. */
export class IoFloorRelays {
  private readonly exits = new Map<IoFloorRole, ReturnType<typeof collect>>();
  private readonly killAll = () => {
    for (const c of this.children.values()) if (c.exitCode === null) c.kill('SIGKILL');
  };

  private constructor(
    readonly ports: Record<IoFloorRole, number>,
    private readonly children: Map<IoFloorRole, ChildProcess>,
  ) {
    process.once('exit', this.killAll);
  }

  /** Starts hss first (the others connect to it), then the three CSCF relays. */
  static async start(options: { receiveBufferBytes?: number } = {}): Promise<IoFloorRelays> {
    const [hss, pcscf, icscf, scscf] = (await freePorts(4)) as [number, number, number, number];
    const ports = { hss, pcscf, icscf, scscf };
    const relays = new IoFloorRelays(ports, new Map());
    const extra = options.receiveBufferBytes ? [`rcvbuf=${options.receiveBufferBytes}`] : [];
    try {
      await relays.spawn('hss', extra);
      await Promise.all((['pcscf', 'icscf', 'scscf'] as const).map((r) => relays.spawn(r, extra)));
    } catch (err) {
      await relays.stop();
      throw err;
    }
    return relays;
  }

  private spawn(role: IoFloorRole, extra: string[]): Promise<void> {
    const child = spawn(process.execPath, [RELAY, role, ...portArgs(this.ports), ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv(),
    });
    this.children.set(role, child);
    // Bounded by stop(): SIGTERM, then SIGKILL.
    const exit = collect(child);
    this.exits.set(role, exit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`io-floor relay ${role} not ready after ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      const onData = (d: Buffer) => {
        if (!d.toString().includes(`ready ${role}`)) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      };
      child.stdout?.on('data', onData);
      void exit.then(({ code, stderr }) => {
        clearTimeout(timer);
        reject(new Error(`io-floor relay ${role} exited (${code}) before it was ready: ${stderr.trim()}`));
      });
    });
  }

  /** Process ids by role (for /proc). */
  get pids(): Map<IoFloorRole, number> {
    const out = new Map<IoFloorRole, number>();
    for (const [role, c] of this.children) if (c.pid !== undefined) out.set(role, c.pid);
    return out;
  }

  /** CPU seconds so far per relay. */
  cpu(): Map<string, number> {
    return new Map([...this.pids].map(([role, pid]) => [role, processCpuSeconds(pid)]));
  }

  /** SIGTERM to every relay (SIGKILL after a bound); their counters. */
  async stop(): Promise<Partial<Record<IoFloorRole, RelayCounters>>> {
    const out: Partial<Record<IoFloorRole, RelayCounters>> = {};
    for (const c of this.children.values())
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    const timer = setTimeout(this.killAll, STOP_TIMEOUT_MS);
    for (const [role, exit] of this.exits) {
      const { stdout } = await exit;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) out[role] = JSON.parse(line) as RelayCounters;
    }
    clearTimeout(timer);
    process.off('exit', this.killAll);
    return out;
  }
}

/** The UE generator's result line (bench/lib/io-floor-relay.mjs, role ue). */
interface UeResult {
  planned: number;
  started: number;
  completed: number;
  lost: number;
  duplicates: number;
  achieved: number;
  wallS: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuS: number;
  messages: RelayCounters;
}

let runs = 0;

export interface IoFloorStepOptions {
  rate: number;
  seconds: number;
  /** Relays to load; when absent, a set is started for this step and stopped after it. */
  relays?: IoFloorRelays;
  /** Seconds waited after the last REGISTER before the missing ones count as lost (default 3). */
  graceS?: number;
}

/** One step: registrations at `rate`/s for `seconds` s through the relays, no retransmission. */
export async function ioFloorStep(o: IoFloorStepOptions): Promise<IoFloorStepResult> {
  const relays = o.relays ?? (await IoFloorRelays.start());
  try {
    return await runUe(relays, o.rate, o.seconds, o.graceS ?? 3);
  } finally {
    if (!o.relays) await relays.stop();
  }
}

async function runUe(relays: IoFloorRelays, rate: number, seconds: number, graceS: number) {
  const [uePort] = (await freePorts(1)) as [number];
  const run = `s${++runs}`;
  const drops = udpReceiveErrors();
  const before = relays.cpu();
  const meter = new CpuMeter(() => relays.cpu());
  const ue = spawn(
    process.execPath,
    [
      RELAY,
      'ue',
      ...portArgs({ ...relays.ports, ue: uePort }),
      `rate=${rate}`,
      `seconds=${seconds}`,
      `grace=${graceS}`,
      `run=${run}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() },
  );
  // Bounded: the UE ends by itself after seconds + grace; killed if it does not.
  const { stdout, stderr, code } = await collect(ue, (seconds + graceS + 15) * 1000);
  const cpu = meter.since();
  const after = relays.cpu();
  const udpDrops = udpReceiveErrors() - drops;
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  const planned = Math.round(rate * seconds);
  if (!line) {
    return failedStep(rate, planned, cpu, udpDrops, `ue exited (${code}) without a result: ${stderr.trim()}`);
  }
  const r = JSON.parse(line) as UeResult;
  const relayCpuS = [...after].reduce((sum, [k, v]) => sum + v - (before.get(k) ?? 0), 0);
  const errors: string[] = [];
  if (r.lost > 0)
    errors.push(
      `${r.lost} of ${r.planned} registrations not completed ${graceS} s after the last REGISTER (no retransmission: a lost datagram loses the registration); UDP receive errors ${udpDrops}`,
    );
  if (r.messages.sendErrors > 0) errors.push(`ue: ${r.messages.sendErrors} send errors`);
  if (code !== 0) errors.push(`ue exited with ${code}: ${stderr.trim().slice(0, 300)}`);
  const perReg = (s: number) => (r.completed > 0 ? (1000 * s) / r.completed : 0);
  return {
    rate,
    planned: r.planned,
    successful: r.completed,
    failed: r.lost,
    retransmissions: 0,
    achieved: r.achieved,
    wallS: r.wallS,
    responseMs: r.meanMs,
    cpu,
    sippCpu: Math.round((100 * r.cpuS) / Math.max(r.wallS, 1e-3)),
    udpDrops,
    clean: code === 0 && r.lost === 0 && r.completed === r.planned,
    errors,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
    cpuMsPerRegistration: perReg(relayCpuS),
    ueCpuMsPerRegistration: perReg(r.cpuS),
  } satisfies IoFloorStepResult;
}

function failedStep(
  rate: number,
  planned: number,
  cpu: Record<string, number>,
  udpDrops: number,
  error: string,
): IoFloorStepResult {
  return {
    rate,
    planned,
    successful: 0,
    failed: planned,
    retransmissions: 0,
    achieved: 0,
    wallS: 0,
    responseMs: 0,
    cpu,
    sippCpu: 0,
    udpDrops,
    clean: false,
    errors: [error],
    p50Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    cpuMsPerRegistration: 0,
    ueCpuMsPerRegistration: 0,
  };
}

export interface IoFloorSeriesOptions {
  rates: number[];
  seconds: number;
  /** A step is clean when nothing was lost and the achieved rate is at least this share of the offered one. */
  keepUp: number;
  graceS?: number;
  receiveBufferBytes?: number;
  /** Called after each step (to print it). */
  onStep?: (step: IoFloorStepResult) => void;
}

/** Steps up the rates on one set of relays until the first step that is not clean. */
export async function ioFloorSeries(o: IoFloorSeriesOptions): Promise<IoFloorSeries> {
  const graceS = o.graceS ?? 3;
  const series: IoFloorSeries = { steps: [], best: 0, limitFound: false, graceS, counters: {}, completed: 0 };
  const relays = await IoFloorRelays.start({ receiveBufferBytes: o.receiveBufferBytes });
  try {
    // Not reported: the relays' code compiled and their connections warm before the first step.
    const warmup = await ioFloorStep({
      rate: Math.min(200, o.rates[0] ?? 200),
      seconds: 1,
      relays,
      graceS: 1,
    });
    series.completed += warmup.successful;
    for (const rate of o.rates) {
      const step = await ioFloorStep({ rate, seconds: o.seconds, relays, graceS });
      if (step.clean && step.achieved < o.keepUp * rate) {
        step.clean = false;
        step.errors.unshift(
          `fell behind: achieved ${step.achieved}/s < ${100 * o.keepUp}% of ${rate}/s offered (p99 ${step.p99Ms.toFixed(0)} ms)`,
        );
      }
      o.onStep?.(step);
      series.steps.push(step);
      series.completed += step.successful;
      if (!step.clean) {
        series.limitFound = true;
        break;
      }
      series.best = rate;
    }
  } finally {
    series.counters = await relays.stop();
  }
  return series;
}
