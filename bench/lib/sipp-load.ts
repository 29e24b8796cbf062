/**
 * One load step with SIPp against a system under test: registrations (one SIPp call = the
 * whole REGISTER/401/REGISTER/200 exchange) or calls (a UAS callee on the callees' registered
 * port, a UAC caller on the callers' registered port). Every run is bounded (-m, -timeout with
 * -timeout_error, -recv_timeout); the step reads SIPp's stat CSV and error file, the CPU time of
 * each process of the system under test, and the kernel's UDP receive errors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SippGroup, type SippProcess, type SippResult } from '../../test/interop/helpers/sipp.ts';
import { CpuMeter, processCpuSeconds, udpReceiveErrors } from './proc-stats.ts';

/** The server a step loads: where SIPp sends, and the CPU seconds of each of its processes. */
export interface SystemUnderTest {
  /** "ours" or "kamailio". */
  name: string;
  /** host:port SIPp sends to. */
  target: string;
  /** CPU seconds so far per process (or process group) name. */
  cpu(): Map<string, number>;
}

export interface StepResult {
  /** Offered rate, per second. */
  rate: number;
  /** Calls (or registrations) SIPp was to make. */
  planned: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** successful / wall time of the caller side. */
  achieved: number;
  wallS: number;
  /** Mean response time of the measured exchange (SIPp rtd), ms. */
  responseMs: number;
  /** % of one core per process of the system under test. */
  cpu: Record<string, number>;
  /** % of one core used by the SIPp instances of the step (they share the machine). */
  sippCpu: number;
  udpDrops: number;
  /** True when every planned call completed and nothing failed. */
  clean: boolean;
  /** What went wrong, summarized from SIPp's error files and exit codes. */
  errors: string[];
}

const LOOPS = ['-max_recv_loops', '10000', '-max_sched_loops', '10000'];

/** "HH:MM:SS:mmmuuu" (SIPp's stat time format) → ms. */
export function sippTimeMs(value: string | undefined): number {
  const parts = (value ?? '').split(':').map(Number);
  if (parts.length !== 4 || parts.some(Number.isNaN)) return 0;
  const [h, m, s, us] = parts as [number, number, number, number];
  return (h * 3600 + m * 60 + s) * 1000 + us / 1000;
}

/**
 * The distinct events of an error file, each with its count, most frequent first: unexpected
 * messages by their first line and what the scenario expected, late answers to exchanges
 * already over (SIPp's "dead calls": answers to retransmissions, not failures), others with
 * their numbers blanked. SIPp writes each event as a timestamped line followed by the message.
 */
export async function summarizeErrors(dir: string, name: string, result: SippResult): Promise<string[]> {
  const text = await readFile(join(dir, `${name}.err`), 'utf8').catch(() => '');
  const counts = new Map<string, number>();
  const events = text.split(/(?=\d{4}-\d{2}-\d{2}\t[\d:.]+\t[\d.]+: )/).slice(1);
  for (const raw of events) {
    const event = raw.replace(/^[\d-]+\t[\d:.]+\t[\d.]+: /, '');
    const firstLine = (s: string) =>
      s
        .split(/\r?\n/)[0]!
        .replace(/sip:[^ ;>]+/g, 'sip:…')
        .slice(0, 80);
    const received = event.match(/received '([^']*)/)?.[1] ?? '';
    let key: string;
    if (event.startsWith('Dead call')) {
      key = `late (exchange already ${event.match(/\((\w+)\)/)?.[1] ?? 'over'}): ${firstLine(received)}`;
    } else if (event.startsWith('Aborting call on unexpected message')) {
      key = `unexpected ${firstLine(received)} while expecting '${event.match(/while expecting '([^']+)'/)?.[1] ?? '?'}'`;
    } else {
      key = firstLine(event)
        .replace(/Call-I[dD]:? ?'?[^' ]+'?/g, 'Call-Id …')
        .replace(/\d+/g, 'N');
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${name}: ${n}× ${k}`);
  if (result.exitCode !== 0) out.push(`${name}: exit ${result.exitCode ?? result.signal}`);
  return out.slice(0, 8);
}

/** Samples the CPU time of running SIPp processes (they are gone from /proc once they exit). */
class SippCpuSampler {
  private readonly last = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly processes: () => SippProcess[]) {
    this.timer = setInterval(() => this.sample(), 500);
  }
  private sample(): void {
    for (const p of this.processes()) {
      if (p.pid === undefined) continue;
      const cpu = processCpuSeconds(p.pid);
      if (cpu > 0) this.last.set(p.pid, cpu);
    }
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return [...this.last.values()].reduce((a, b) => a + b, 0);
  }
}

export interface RegistrationStepOptions {
  sut: SystemUnderTest;
  /** The scenario file (absolute path). */
  scenario: string;
  /** Injection file (absolute path), one line per registration. */
  csv: string;
  domain: string;
  rate: number;
  count: number;
  /** SIPp's local port (the Contact of every user it registers). */
  port: number;
  dir: string;
  name: string;
}

/** Runs one registration step: `count` REGISTER exchanges at `rate` per second. */
export async function registrationStep(o: RegistrationStepOptions): Promise<StepResult> {
  const group = new SippGroup();
  const timeoutS = Math.ceil(o.count / o.rate) * 3 + 30;
  const drops = udpReceiveErrors();
  const meter = new CpuMeter(() => o.sut.cpu());
  const t0 = process.hrtime.bigint();
  let proc: SippProcess | undefined;
  const sampler = new SippCpuSampler(() => (proc ? [proc] : []));
  proc = group.start({
    name: o.name,
    dir: o.dir,
    scenario: o.scenario,
    remote: o.sut.target,
    port: o.port,
    calls: o.count,
    rate: o.rate,
    limit: o.rate * 5 + 100,
    timeoutS,
    // An aborted registration sends no BYE (SIPp's default abort behaviour is for calls).
    extraArgs: ['-inf', o.csv, '-auth_uri', o.domain, '-default_behaviors', 'all,-bye', ...LOOPS],
  });
  const result = await proc.result;
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = meter.since();
  const sippCpu = sampler.stop();
  return {
    rate: o.rate,
    planned: o.count,
    successful: result.successful,
    failed: result.failed,
    retransmissions: result.retransmissions,
    achieved: Math.round(result.successful / wallS),
    wallS,
    responseMs: sippTimeMs(result.columns['ResponseTimereg(C)']),
    cpu,
    sippCpu: Math.round((100 * sippCpu) / wallS),
    udpDrops: udpReceiveErrors() - drops,
    clean: result.exitCode === 0 && result.failed === 0 && result.successful === o.count,
    errors: await summarizeErrors(o.dir, o.name, result),
  };
}

export interface CallStepOptions {
  sut: SystemUnderTest;
  uacScenario: string;
  uasScenario: string;
  /** Injection file of the caller: callee;domain;password;caller per line. */
  csv: string;
  rate: number;
  count: number;
  /** The callers' registered port (the UAC binds it). */
  callerPort: number;
  /** The callees' registered port (the UAS binds it). */
  calleePort: number;
  dir: string;
  name: string;
}

/** Runs one call step: `count` calls INVITE→BYE at `rate` per second through the system. */
export async function callStep(o: CallStepOptions): Promise<StepResult> {
  const group = new SippGroup();
  const timeoutS = Math.ceil(o.count / o.rate) * 3 + 30;
  const running: SippProcess[] = [];
  const sampler = new SippCpuSampler(() => running);
  try {
    const uas = group.start({
      name: `${o.name}-uas`,
      dir: o.dir,
      scenario: o.uasScenario,
      port: o.calleePort,
      calls: o.count,
      limit: 1_000_000,
      timeoutS: timeoutS + 20,
      // A late ACK after the BYE (reordered by a multi-process proxy) is not a failed call.
      extraArgs: [...LOOPS, '-default_behaviors', 'all,-abortunexp'],
    });
    running.push(uas);
    await uas.ready();
    const drops = udpReceiveErrors();
    const meter = new CpuMeter(() => o.sut.cpu());
    const t0 = process.hrtime.bigint();
    const uac = group.start({
      name: `${o.name}-uac`,
      dir: o.dir,
      scenario: o.uacScenario,
      remote: o.sut.target,
      port: o.callerPort,
      calls: o.count,
      rate: o.rate,
      limit: o.rate * 5 + 100,
      timeoutS,
      extraArgs: ['-inf', o.csv, ...LOOPS],
    });
    running.push(uac);
    const caller = await uac.result;
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = meter.since();
    const udpDrops = udpReceiveErrors() - drops;
    // The callee ends by itself once it has answered every call; stopped after a grace time.
    const grace = new Promise<void>((r) => setTimeout(r, 10_000).unref());
    await Promise.race([uas.result, grace]);
    await uas.stop();
    const callee = await uas.result;
    const sippCpu = sampler.stop();
    const errors = [
      ...(await summarizeErrors(o.dir, `${o.name}-uac`, caller)),
      ...(callee.failed > 0 ? await summarizeErrors(o.dir, `${o.name}-uas`, callee) : []),
    ];
    return {
      rate: o.rate,
      planned: o.count,
      successful: caller.successful,
      failed: caller.failed + callee.failed,
      retransmissions: caller.retransmissions + callee.retransmissions,
      achieved: Math.round(caller.successful / wallS),
      wallS,
      responseMs: sippTimeMs(caller.columns['ResponseTimesetup(C)']),
      cpu,
      sippCpu: Math.round((100 * sippCpu) / wallS),
      udpDrops,
      clean:
        caller.exitCode === 0 && caller.failed === 0 && caller.successful === o.count && callee.failed === 0,
      errors,
    };
  } finally {
    sampler.stop();
    await group.stopAll();
  }
}
