/**
 * SIPp load through the whole IMS chain of `ims up` (issue #9), beside Kamailio as a plain
 * registrar/proxy with the same scenarios, in the same run:
 *   (a) registrations/s with digest: REGISTER → P-CSCF → I-CSCF (UAR) → S-CSCF (MAR) → 401,
 *       REGISTER with Authorization → ... S-CSCF (SAR) → 200, one SIPp call per exchange;
 *   (b) the same with IMS AKA (Kamailio: not measured, a plain registrar has no AKA);
 *   (c) calls/s (INVITE/180/200/ACK/BYE/200) between registered users through the full chain;
 * each stepped up until the first step with a failure; then memory per registered user after
 * registering N users, and a V8 CPU profile of every process during one step. First of all, the
 * IO floor of (a)'s message pattern: the same datagrams and Diameter exchanges through four
 * trivial relay processes (bench/lib/io-floor.ts), what the machine permits for that pattern.
 * Writes bench/results/<date>-ims-chain.md and .png (<date>b-… for a day's later runs) and prints
 * the summary.
 *
 * Environment:
 *   BENCH_IMS_SECONDS=10                  seconds per step
 *   BENCH_IMS_REG_RATES, BENCH_IMS_CALL_RATES           our steps (and Kamailio's first ones)
 *   BENCH_IMS_KAMAILIO_REG_RATES, BENCH_IMS_KAMAILIO_CALL_RATES   Kamailio's steps (default:
 *                                         ours then higher, to find its limit)
 *   BENCH_IMS_MEMORY_USERS=100000         users registered for the memory figure, at
 *                                         BENCH_IMS_MEMORY_RATE (default: 2/3 of the best clean digest rate)
 *   BENCH_IMS_PROFILE_RATE                rate of the profiled step (default: the best clean digest rate)
 *   BENCH_IMS_CALL_USERS=1000             callers and callees (each), registered at BENCH_IMS_SETUP_RATE=50/s
 *   BENCH_IMS_WARMUP=20                   seconds of digest registrations at BENCH_IMS_SETUP_RATE before
 *                                         our series (V8 compiles the hot code; 0: none)
 *   BENCH_IMS_FLOOR_RATES=250,500,1000,1500,2000,3000   the IO floor's steps (BENCH_IMS_FLOOR_GRACE=3:
 *                                         seconds after a step's last REGISTER before the missing count as lost)
 *   BENCH_IMS_LOADS=floor,digest,aka,calls,memory,profile    what to measure
 *   BENCH_IMS_ONLY=ours|kamailio          one side only
 *   BENCH_IMS_LOG_LEVEL=warn              log level of the functions of `ims up`
 *   BENCH_IMS_YAML='hss: {store: {synchronous: NORMAL}}'   more of the ims.yaml `ims up` runs with
 *   BENCH_IMS_RESULTS=bench/results       where the report goes; BENCH_IMS_KEEP=1 keeps the work files
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../test/interop/helpers/free-port.ts';
import { requireSipp } from '../test/interop/helpers/sipp.ts';
import {
  type AuthKind,
  provisionUsers,
  UserPool,
  type UserRange,
  writeCallsCsv,
  writeRegistrationCsv,
} from './lib/bench-users.ts';
import { profileBusyMs, summarizeCpuProfile } from './lib/cpu-profile.ts';
import {
  type ImsChainReport,
  LOAD_TITLES,
  type LoadKind,
  type MemoryResult,
  type Series,
  summaryLines,
  writeReport,
} from './lib/ims-report.ts';
import { type ImsUpServer, startImsUp } from './lib/ims-up-server.ts';
import { type IoFloorSeries, ioFloorSeries } from './lib/io-floor.ts';
import {
  KAMAILIO_PASSWORD,
  type KamailioServer,
  kamailioVersion,
  startKamailio,
} from './lib/kamailio-server.ts';
import { machineDescription } from './lib/proc-stats.ts';
import { callStep, registrationStep, type StepResult, type SystemUnderTest } from './lib/sipp-load.ts';

const env = process.env;
const rates = (value: string | undefined, fallback: number[]) =>
  value
    ? value
        .split(',')
        .map(Number)
        .filter((r) => r > 0)
    : fallback;
const SECONDS = Number(env.BENCH_IMS_SECONDS ?? 10);
const REG_RATES = rates(env.BENCH_IMS_REG_RATES, [100, 250, 500, 750, 1000, 1250, 1500, 2000]);
const CALL_RATES = rates(env.BENCH_IMS_CALL_RATES, [100, 250, 500, 750, 1000]);
const KAM_REG_RATES = rates(env.BENCH_IMS_KAMAILIO_REG_RATES, [
  ...REG_RATES,
  3000,
  4000,
  6000,
  8000,
  10000,
  12000,
]);
const KAM_CALL_RATES = rates(env.BENCH_IMS_KAMAILIO_CALL_RATES, [...CALL_RATES, 1250, 1500, 2000]);
const MEMORY_USERS = Number(env.BENCH_IMS_MEMORY_USERS ?? 100_000);
const CALL_USERS = Number(env.BENCH_IMS_CALL_USERS ?? 1000);
/** Registrations/s of the callers and callees before the call steps. */
const SETUP_RATE = Number(env.BENCH_IMS_SETUP_RATE ?? 50);
const WARMUP_SECONDS = Number(env.BENCH_IMS_WARMUP ?? 20);
const FLOOR_RATES = rates(env.BENCH_IMS_FLOOR_RATES, [250, 500, 1000, 1500, 2000, 3000]);
const FLOOR_GRACE_S = Number(env.BENCH_IMS_FLOOR_GRACE ?? 3);
const LOADS = new Set((env.BENCH_IMS_LOADS ?? 'floor,digest,aka,calls,memory,profile').split(','));
/** The loads run against a system (the floor runs on its own relays). */
const SYSTEM_LOADS = ['digest', 'aka', 'calls', 'memory', 'profile'];
const ONLY = env.BENCH_IMS_ONLY;
const LOG_LEVEL = env.BENCH_IMS_LOG_LEVEL ?? 'warn';
const EXTRA_YAML = env.BENCH_IMS_YAML ?? '';
const RESULTS = env.BENCH_IMS_RESULTS ?? new URL('./results', import.meta.url).pathname;
const DOMAIN = 'ims.test';
/** A step is clean when nothing failed and the achieved rate is at least this share of the offered one. */
const KEEP_UP = 0.85;
const PASSWORD = KAMAILIO_PASSWORD;
const SIPP = new URL('./sipp/', import.meta.url).pathname;
const SCENARIO: Record<AuthKind, string> = {
  digest: `${SIPP}ims_reg_digest.xml`,
  aka: `${SIPP}ims_reg_aka.xml`,
};

/** The users every step of one system registers, allocated up front (ours are provisioned). */
class UserPlan {
  readonly pool = new UserPool();
  readonly steps = new Map<string, UserRange>();
  readonly callers: UserRange;
  readonly callees: UserRange;
  readonly memory: UserRange;
  readonly profile: UserRange;
  /** Registered before our series, unmeasured: the JIT compiles the hot paths first. */
  readonly warmup: UserRange;

  constructor(regRates: number[], kinds: AuthKind[], profileRate: number) {
    for (const kind of kinds)
      for (const r of regRates) this.steps.set(`${kind}-${r}`, this.pool.take(r * SECONDS, kind));
    this.callers = this.pool.take(LOADS.has('calls') ? CALL_USERS : 0, 'digest');
    this.callees = this.pool.take(LOADS.has('calls') ? CALL_USERS : 0, 'digest');
    this.memory = this.pool.take(LOADS.has('memory') ? MEMORY_USERS : 0, 'digest');
    this.profile = this.pool.take(profileRate * SECONDS, 'digest');
    this.warmup = this.pool.take(SETUP_RATE * WARMUP_SECONDS, 'digest');
  }
}

function printStep(system: string, load: string, s: StepResult): void {
  const cpu = Object.entries(s.cpu)
    .map(([k, v]) => `${k} ${v}%`)
    .join(' ');
  console.log(
    `  ${system.padEnd(8)} ${load.padEnd(6)} ${String(s.rate).padStart(5)}/s: ${s.clean ? 'ok  ' : 'FAIL'} ` +
      `${s.successful}/${s.planned} failed ${s.failed} retrans ${s.retransmissions} achieved ${s.achieved}/s ` +
      `resp ${s.responseMs.toFixed(1)} ms | CPU ${cpu} | SIPp ${s.sippCpu}% | UDP drops ${s.udpDrops}`,
  );
  for (const e of s.errors.slice(0, 4)) console.log(`      ${e.slice(0, 200)}`);
}

async function runSeries(
  system: Series['system'],
  load: LoadKind,
  list: number[],
  step: (rate: number) => Promise<StepResult>,
): Promise<Series> {
  const series: Series = { system, load, steps: [], best: 0, limitFound: false };
  for (const rate of list) {
    const result = await step(rate);
    // Every exchange completing is not enough: a system that falls behind completes them late.
    if (result.clean && result.achieved < KEEP_UP * rate) {
      result.clean = false;
      result.errors.unshift(
        `fell behind: achieved ${result.achieved}/s < ${100 * KEEP_UP}% of ${rate}/s offered (mean response ${result.responseMs.toFixed(0)} ms, ${result.retransmissions} retransmissions)`,
      );
    }
    printStep(system, load, result);
    series.steps.push(result);
    if (!result.clean) {
      series.limitFound = true;
      break;
    }
    series.best = rate;
  }
  return series;
}

async function registerUsers(
  sut: SystemUnderTest,
  range: UserRange,
  rate: number,
  port: number,
  dir: string,
  name: string,
) {
  const csv = join(dir, `${name}.csv.in`);
  await writeRegistrationCsv(csv, range, DOMAIN, PASSWORD);
  return registrationStep({
    sut,
    scenario: SCENARIO[range.kind],
    csv,
    domain: DOMAIN,
    rate,
    count: range.to - range.from,
    port,
    dir,
    name,
  });
}

/**
 * Digest registrations at the setup rate before our series: the first thousands of messages
 * run in V8's interpreter and baseline code, several times slower than the optimized code of
 * the steady state that the steps measure (Kamailio, compiled ahead of time, needs none).
 */
async function warmUp(
  sut: SystemUnderTest,
  plan: UserPlan,
  dir: string,
  report?: ImsChainReport,
): Promise<void> {
  if (plan.warmup.to === plan.warmup.from) return;
  const [port] = await freePorts(1);
  const r = await registerUsers(sut, plan.warmup, SETUP_RATE, port!, dir, 'ours-warmup');
  printStep('ours', 'warmup', r);
  report?.notes.push(
    `Ours was warmed up with ${r.planned} digest registrations at ${SETUP_RATE}/s (${r.successful} ok) before its series, unmeasured: V8 optimizes the hot code after it has run a while.`,
  );
}

async function registrationSeries(
  sut: SystemUnderTest,
  system: Series['system'],
  kind: AuthKind,
  list: number[],
  plan: UserPlan,
  dir: string,
) {
  const [port] = await freePorts(1);
  return runSeries(system, kind, list, (rate) =>
    registerUsers(sut, plan.steps.get(`${kind}-${rate}`)!, rate, port!, dir, `${system}-${kind}-${rate}`),
  );
}

async function callSeries(
  sut: SystemUnderTest,
  system: Series['system'],
  list: number[],
  plan: UserPlan,
  dir: string,
) {
  const [callerPort, calleePort] = await freePorts(2);
  // The P-CSCF takes requests only from a registered flow and sends to the callees over theirs.
  // Registered gently, in up to 3 passes (a pass re-registers the users the previous one missed).
  for (const [who, range, port] of [
    ['callers', plan.callers, callerPort!],
    ['callees', plan.callees, calleePort!],
  ] as const) {
    let r: StepResult | undefined;
    for (let pass = 1; pass <= 3 && !r?.clean; pass++) {
      r = await registerUsers(sut, range, SETUP_RATE, port, dir, `${system}-${who}-${pass}`);
      if (!r.clean)
        console.log(`  ${system} calls: registering the ${who}, pass ${pass}: ${r.successful}/${r.planned}`);
    }
    if (!r?.clean) {
      const note = `Not measured: registering the ${who} failed 3 times at ${SETUP_RATE}/s (last: ${r?.successful}/${r?.planned}): ${r?.errors.join('; ')}`;
      console.log(`  ${system} calls: ${note}`);
      return { system, load: 'calls', steps: [], best: 0, limitFound: false, note } satisfies Series;
    }
  }
  const csv = join(dir, `${system}-calls.csv.in`);
  await writeCallsCsv(csv, plan.callers, plan.callees, DOMAIN);
  return runSeries(system, 'calls', list, (rate) =>
    callStep({
      sut,
      uacScenario: `${SIPP}ims_uac_call.xml`,
      uasScenario: `${SIPP}ims_uas_call.xml`,
      csv,
      rate,
      count: rate * SECONDS,
      callerPort: callerPort!,
      calleePort: calleePort!,
      dir,
      name: `${system}-calls-${rate}`,
    }),
  );
}

/** Registers the plan's memory users; memory of each process before and after. */
async function memoryRun(
  sut: SystemUnderTest,
  system: Series['system'],
  memory: () => Map<string, number> | Promise<Map<string, number>>,
  plan: UserPlan,
  rate: number,
  dir: string,
  settleMs = 5000,
): Promise<MemoryResult> {
  const [port] = await freePorts(1);
  await sleep(2000);
  const before = Object.fromEntries(await memory());
  console.log(`  ${system} memory: registering ${MEMORY_USERS} users at ${rate}/s`);
  const r = await registerUsers(sut, plan.memory, rate, port!, dir, `${system}-memory`);
  printStep(system, 'memory', r);
  await sleep(settleMs);
  const after = Object.fromEntries(await memory());
  return {
    system,
    users: MEMORY_USERS,
    registered: r.successful,
    rate,
    before,
    after,
    note: r.clean ? undefined : `Not all registrations succeeded: ${r.errors.join('; ')}`,
  };
}

/**
 * RFC 3261 §17.2.2 Timer J (64*T1 = 32 s over UDP): how long a completed non-INVITE server
 * transaction keeps its request and response; measured after it, memory is the registrations'.
 */
const TIMER_J_MS = 35_000;

/** KiB of live JS heap per function, after a full GC in each (SIGURG, see the preload). */
async function liveHeapKb(s: ImsUpServer, heapDir: string): Promise<Map<string, number>> {
  const started = Date.now();
  for (const pid of s.processes.values()) process.kill(pid, 'SIGURG');
  const out = new Map<string, number>();
  for (const [name, pid] of s.processes) {
    const file = join(heapDir, `heap-${pid}.json`);
    for (let i = 0; i < 100; i++) {
      try {
        const { heapUsed, at } = JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number; at: number };
        if (at >= started) {
          out.set(name, Math.round(heapUsed / 1024));
          break;
        }
      } catch {
        // not written yet
      }
      await sleep(100);
    }
  }
  return out;
}

const clean = (s: Series | undefined) => (s && s.best > 0 ? s.best : REG_RATES[0]!);
/**
 * Rate of the memory step: BENCH_IMS_MEMORY_RATE, else two thirds of the best clean digest rate
 * (a multiple of 50, at least 50). That rate holds for 6 s steps, not for the minutes of
 * registrations that pile up state (100,000 at 300/s through ims up: 11% timed out).
 */
const memoryRate = (s: Series | undefined) =>
  Number(env.BENCH_IMS_MEMORY_RATE ?? Math.max(50, Math.floor((clean(s) * 2) / 3 / 50) * 50));

async function kamailioSide(dir: string, report: ImsChainReport): Promise<void> {
  const version = kamailioVersion();
  if (!version) {
    report.notes.push('Kamailio is not installed (apt-get install kamailio): no reference figures.');
    return;
  }
  report.versions.kamailio = version.replace('kamailio ', '');
  const plan = new UserPlan(KAM_REG_RATES, ['digest'], 0);
  const run = async (what: (k: KamailioServer) => Promise<void>) => {
    const k = await startKamailio(dir);
    try {
      await what(k);
    } finally {
      await k.stop();
    }
  };
  let digest: Series | undefined;
  if (LOADS.has('digest')) {
    await run(async (k) => {
      digest = await registrationSeries(k, 'kamailio', 'digest', KAM_REG_RATES, plan, dir);
      report.series.push(digest);
    });
  }
  if (LOADS.has('calls')) {
    await run(async (k) => {
      report.series.push(await callSeries(k, 'kamailio', KAM_CALL_RATES, plan, dir));
    });
  }
  if (LOADS.has('memory') && MEMORY_USERS > 0) {
    await run(async (k) => {
      report.memory.push(
        await memoryRun(
          k,
          'kamailio',
          () => new Map([['kamailio', k.memoryKb()]]),
          plan,
          memoryRate(digest),
          dir,
        ),
      );
    });
  }
}

async function oursSide(dir: string, report: ImsChainReport): Promise<void> {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  // Profiled at the best clean digest rate (known only later): users for the highest rate.
  const plan = new UserPlan(REG_RATES, ['digest', 'aka'], LOADS.has('profile') ? Math.max(...REG_RATES) : 0);
  console.log(
    `  ours: provisioning ${plan.pool.total.toLocaleString('en')} subscribers into ${dataDir}/hss.sqlite`,
  );
  const p = await provisionUsers(join(dataDir, 'hss.sqlite'), plan.pool.taken, DOMAIN, PASSWORD);
  console.log(`  ours: ${p.imported} provisioned (${p.failed} failed) in ${p.seconds.toFixed(1)} s`);
  const logFile = join(dir, 'ims-up.log');
  const run = async (what: (s: ImsUpServer) => Promise<void>, extraEnv?: Record<string, string>) => {
    // A fresh registrar each time: no registrations restored from the previous run's snapshot.
    rmSync(join(dataDir, 'scscf-registrations.json'), { force: true });
    const s = await startImsUp({ dataDir, logFile, logLevel: LOG_LEVEL, yaml: EXTRA_YAML, env: extraEnv });
    const missing = ['hss', 'scscf', 'icscf', 'pcscf'].filter((n) => !s.processes.has(n));
    try {
      if (missing.length > 0) throw new Error(`ims up does not run ${missing.join(', ')} yet`);
      await what(s);
    } finally {
      const warnings = s.warnings(5000);
      await s.stop();
      // The same warning for many users once, with its count.
      const counts = new Map<string, number>();
      for (const w of warnings) {
        const key = w
          .replace(/^[\d:.]+ /, '')
          .replace(/sip:[^ ]+/g, 'sip:…')
          .slice(0, 200);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [w, n] of counts) report.problems.push(`ims up log, ${n}×: \`${w}\``);
    }
  };
  let digest: Series | undefined;
  await run(async (s) => {
    report.versions.functions = [...s.processes.keys()].join(', ');
    if (LOADS.has('digest') || LOADS.has('aka') || LOADS.has('calls')) await warmUp(s, plan, dir, report);
    for (const kind of ['digest', 'aka'] as const) {
      if (!LOADS.has(kind)) continue;
      const series = await registrationSeries(s, 'ours', kind, REG_RATES, plan, dir);
      if (kind === 'digest') digest = series;
      report.series.push(series);
    }
    if (LOADS.has('calls')) report.series.push(await callSeries(s, 'ours', CALL_RATES, plan, dir));
  });
  if (LOADS.has('memory') && MEMORY_USERS > 0) {
    // The live JS heap of each function after a full GC (bench/lib/cpu-prof-preload.mjs):
    // VmRSS also counts garbage not yet collected and pages V8 keeps, which say little about
    // what a registration costs.
    const heapDir = join(dir, 'heap');
    mkdirSync(heapDir, { recursive: true });
    await run(
      async (s) => {
        report.memory.push(
          await memoryRun(s, 'ours', () => liveHeapKb(s, heapDir), plan, memoryRate(digest), dir, TIMER_J_MS),
        );
      },
      {
        NODE_OPTIONS:
          `${env.NODE_OPTIONS ?? ''} --import ${new URL('./lib/cpu-prof-preload.mjs', import.meta.url).pathname}`.trim(),
        BENCH_HEAP_DIR: heapDir,
      },
    );
  }
  if (LOADS.has('profile')) {
    const rate = Number(env.BENCH_IMS_PROFILE_RATE ?? clean(digest));
    await profileRun(dir, report, plan, rate, run);
  }
}

/** One digest registration step with a CPU profile of every process; the busiest one's top functions. */
async function profileRun(
  dir: string,
  report: ImsChainReport,
  plan: UserPlan,
  rate: number,
  run: (what: (s: ImsUpServer) => Promise<void>, env?: Record<string, string>) => Promise<void>,
): Promise<void> {
  const profDir = join(dir, 'cpu-prof');
  mkdirSync(profDir, { recursive: true });
  let names = new Map<number, string>();
  let load = '';
  await run(
    async (s) => {
      names = new Map([...s.processes].map(([name, pid]) => [pid, name]));
      await warmUp(s, plan, dir);
      // Drop the start-up and the warm-up from the profiles (bench/lib/cpu-prof-preload.mjs).
      for (const pid of s.processes.values()) process.kill(pid, 'SIGUSR2');
      await sleep(500);
      const [port] = await freePorts(1);
      const users = { ...plan.profile, to: plan.profile.from + rate * SECONDS };
      const r = await registerUsers(s, users, rate, port!, dir, 'ours-profile');
      printStep('ours', 'prof', r);
      load = `${SECONDS} s of digest registrations at ${rate}/s (${r.successful}/${r.planned} ok, ${r.failed} failed)`;
    },
    // Node 20 refuses --cpu-prof in NODE_OPTIONS: a preloaded module profiles through the inspector.
    {
      NODE_OPTIONS:
        `${env.NODE_OPTIONS ?? ''} --import ${new URL('./lib/cpu-prof-preload.mjs', import.meta.url).pathname}`.trim(),
      BENCH_CPU_PROF_DIR: profDir,
    },
  );
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const busy = files.map((f) => {
    const pid = Number(f.match(/(\d+)\.cpuprofile$/)?.[1]);
    return {
      file: join(profDir, f),
      name: names.get(pid) ?? `pid ${pid}`,
      ms: profileBusyMs(join(profDir, f)),
    };
  });
  busy.sort((a, b) => b.ms - a.ms);
  const top = busy[0];
  if (!top) {
    report.notes.push(
      `No CPU profile was written in ${profDir} (do the functions exit normally on SIGINT?).`,
    );
    return;
  }
  report.profile = {
    process: top.name,
    file: top.file,
    load,
    summary: summarizeCpuProfile(top.file, 15),
    busyByProcess: Object.fromEntries(busy.map((b) => [b.name, b.ms])),
  };
}

/** The IO floor of the digest registration pattern, before either system runs (a quiet machine). */
async function floorRun(report: ImsChainReport): Promise<void> {
  let floor: IoFloorSeries;
  try {
    floor = await ioFloorSeries({
      rates: FLOOR_RATES,
      seconds: SECONDS,
      keepUp: KEEP_UP,
      graceS: FLOOR_GRACE_S,
      onStep: (t) => {
        const cpu = Object.entries(t.cpu)
          .map(([k, v]) => `${k} ${v}%`)
          .join(' ');
        console.log(
          `  floor    digest ${String(t.rate).padStart(5)}/s: ${t.clean ? 'ok  ' : 'FAIL'} ${t.successful}/${t.planned} lost ${t.failed} ` +
            `achieved ${t.achieved}/s p50 ${t.p50Ms.toFixed(1)} ms p99 ${t.p99Ms.toFixed(1)} ms | CPU ${cpu}, ` +
            `${t.cpuMsPerRegistration.toFixed(2)} ms per registration | UE ${t.sippCpu}% | UDP drops ${t.udpDrops}`,
        );
        for (const e of t.errors.slice(0, 4)) console.log(`      ${e.slice(0, 200)}`);
      },
    });
  } catch (err) {
    const note = `Not measured: ${(err as Error).message}`;
    console.log(`  floor: ${note}`);
    floor = {
      steps: [],
      best: 0,
      limitFound: false,
      graceS: FLOOR_GRACE_S,
      counters: {},
      completed: 0,
      note,
    };
  }
  report.floor = floor;
}

let sippVersion: string;
try {
  sippVersion = requireSipp();
} catch (err) {
  console.log(`ims-chain: not measured: ${(err as Error).message}`);
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), 'ims-bench-chain-'));
const report: ImsChainReport = {
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  versions: { SIPp: sippVersion.replace('SIPp ', '') },
  secondsPerStep: SECONDS,
  domain: DOMAIN,
  series: [],
  memory: [],
  problems: [],
  notes: [
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} (other work on the machine shares its 2 cores).`,
    `Functions of ims up log at level ${LOG_LEVEL}${EXTRA_YAML ? `; ims.yaml also has \`${EXTRA_YAML}\`` : ''}; SIPp registers every user from one local port per step (many users share one UDP flow).`,
  ],
};
console.log(
  `IMS chain through ims up vs Kamailio: ${SECONDS} s per step, ${Object.values(LOAD_TITLES).join('; ')}; work files in ${dir}`,
);
try {
  const systemLoads = SYSTEM_LOADS.some((l) => LOADS.has(l));
  if (LOADS.has('floor')) await floorRun(report);
  if (ONLY !== 'ours' && systemLoads) await kamailioSide(dir, report);
  if (ONLY !== 'kamailio' && systemLoads) {
    try {
      await oursSide(dir, report);
    } catch (err) {
      const message = (err as Error).message;
      console.log(`  ours: stopped: ${message}`);
      report.problems.push(`The run of ours stopped: ${message.split('\n').slice(0, 12).join(' / ')}`);
    }
  }
  for (const s of report.series.filter((x) => x.system === 'ours' && x.limitFound)) {
    const failing = s.steps[s.steps.length - 1]!;
    report.problems.push(
      `ours, ${LOAD_TITLES[s.load]}: first failures at ${failing.rate}/s: ${failing.failed} failed, ${failing.successful}/${failing.planned} completed` +
        `${failing.errors.length ? ` (${failing.errors.slice(0, 4).join('; ')})` : ''}`,
    );
  }
  mkdirSync(RESULTS, { recursive: true });
  const files = writeReport(RESULTS, report);
  console.log('\nSummary:');
  for (const line of summaryLines(report)) console.log(`  ${line}`);
  console.log(`report: ${files.markdown}\nplot:   ${files.png}`);
} finally {
  if (!env.BENCH_IMS_KEEP) await rm(dir, { recursive: true, force: true });
  else console.log(`work files kept in ${dir}`);
}
