/**
 * Calls through a transaction-stateful, record-routing proxy over UDP on 127.0.0.1: SIPp
 * callers (INVITE, 180, 200, ACK, BYE, 200) at fixed call rates, rising step by step, against
 * a SIPp callee behind the proxy. Reports the highest rate with no failed call, for our proxy
 * (src/sip/proxy through test/interop/helpers/test-proxy.ts) and, when Kamailio is
 * installed, for Kamailio doing the same (bench/kamailio-proxy.cfg), and their ratio.
 * Both run the same scenario files (test/interop/sipp/uac_call.xml, uas_call.xml).
 *
 * Environment: BENCH_SIP_RATES (e.g. "200,400,800"), BENCH_SIP_SECONDS (per step, default 10),
 * BENCH_SIP_ONLY=ours|kamailio (one side), BENCH_SIP_KEEP=1 (keep the SIPp files).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts, isBound } from '../test/interop/helpers/free-port.ts';
import { requireSipp, SippGroup, type SippResult } from '../test/interop/helpers/sipp.ts';
import { runExchange } from '../test/interop/helpers/sipp-calls.ts';
import { startTestProxy } from '../test/interop/helpers/test-proxy.ts';

const RATES = (process.env.BENCH_SIP_RATES ?? '200,400,800,1200,1600,2000,2500,3000')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const SECONDS = Number(process.env.BENCH_SIP_SECONDS ?? 10);
const KAMAILIO_CFG = new URL('./kamailio-proxy.cfg', import.meta.url).pathname;
const CLOCK_TICKS = 100;

interface Step {
  rate: number;
  ok: boolean;
  successful: number;
  failed: number;
  retransmissions: number;
  achieved: number;
  /** The server's CPU time over the step, in % of one core. */
  cpu: number;
  /** The server's CPU time per completed call, in ms. */
  cpuPerCall: number;
  udpDrops: number;
}

/** The server under test for one step: started, then stopped; its CPU time in seconds. */
interface Server {
  port: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

type StartServer = (uasPort: number) => Promise<Server>;

function udpReceiveErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n');
  const header = lines.find((l) => l.startsWith('Udp: ') && l.includes('RcvbufErrors'));
  const values = lines.find((l) => l.startsWith('Udp: ') && /\d/.test(l));
  if (!header || !values) return 0;
  const i = header.split(' ').indexOf('RcvbufErrors');
  return Number(values.split(' ')[i] ?? 0);
}

async function ourProxy(uasPort: number): Promise<Server> {
  const proxy = await startTestProxy({ targets: [`sip:127.0.0.1:${uasPort}`], recordRoute: true });
  const start = process.cpuUsage();
  return {
    port: proxy.port,
    cpuSeconds() {
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1e6;
    },
    stop: () => proxy.close(),
  };
}

/** CPU seconds of a process and its children (Kamailio's workers), from /proc. */
function processTreeCpu(pid: number): number {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the name: state ppid ... utime (14th) stime (15th), counted from pid.
      const ppid = Number(fields[1]);
      if (Number(name) === pid || ppid === pid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / CLOCK_TICKS;
}

function kamailio(dir: string): StartServer {
  return async (uasPort) => {
    const [port] = await freePorts(1);
    const log = openSync(join(dir, 'kamailio.log'), 'a');
    const child: ChildProcess = spawn(
      'kamailio',
      [
        '-f',
        KAMAILIO_CFG,
        '-m',
        '1024',
        '-M',
        '16',
        '-DD',
        '-E',
        '-A',
        `BENCH_LISTEN=udp:127.0.0.1:${port}`,
        '-A',
        `BENCH_TARGET_PORT=${uasPort}`,
      ],
      { cwd: dir, stdio: ['ignore', log, log] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pid = child.pid!;
    for (let i = 0; i < 100 && !(await isBound('udp', port!)); i++) await sleep(50);
    const before = processTreeCpu(pid);
    return {
      port: port!,
      cpuSeconds: () => processTreeCpu(pid) - before,
      async stop() {
        // Stopped by its PID; its workers follow the main process.
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      },
    };
  };
}

async function runStep(name: string, start: StartServer, rate: number, dir: string): Promise<Step> {
  const sipp = new SippGroup();
  const [uacPort, uasPort] = await freePorts(2);
  const server = await start(uasPort!);
  const calls = rate * SECONDS;
  const timeoutS = SECONDS * 3 + 30;
  const loops = ['-max_recv_loops', '10000', '-max_sched_loops', '10000'];
  const drops = udpReceiveErrors();
  const t0 = Date.now();
  let uac: SippResult;
  let uas: SippResult;
  let cpuSeconds: number;
  try {
    const r = await runExchange(sipp, {
      name: `${name}-${rate}`,
      dir,
      // A multi-worker proxy (Kamailio) may forward the ACK after the BYE: the callee ignores
      // such a late ACK instead of failing the call (the caller stays strict).
      uas: [
        {
          scenario: 'uas_call.xml',
          port: uasPort!,
          calls,
          timeoutS,
          limit: rate * 5 + 100,
          extraArgs: [...loops, '-default_behaviors', 'all,-abortunexp'],
        },
      ],
      uac: {
        scenario: 'uac_call.xml',
        service: 'callee',
        remote: `127.0.0.1:${server.port}`,
        port: uacPort!,
        calls,
        rate,
        limit: rate * 5 + 100,
        timeoutS,
        extraArgs: loops,
      },
    });
    uac = r.uac;
    uas = r.uas[0]!;
    cpuSeconds = server.cpuSeconds();
  } finally {
    await sipp.stopAll();
    await server.stop();
  }
  const wall = (Date.now() - t0) / 1000;
  const ok =
    uac.failed === 0 &&
    uac.successful === calls &&
    uac.exitCode === 0 &&
    uas.failed === 0 &&
    uas.exitCode === 0;
  return {
    rate,
    ok,
    successful: uac.successful,
    failed: uac.failed + uas.failed,
    retransmissions: uac.retransmissions + uas.retransmissions,
    achieved: Math.round(uac.successful / wall),
    cpu: Math.round((100 * cpuSeconds) / wall),
    cpuPerCall: uac.successful > 0 ? (1000 * cpuSeconds) / uac.successful : 0,
    udpDrops: udpReceiveErrors() - drops,
  };
}

/** Rising rates until the first step with a failed call, then once between the last two. */
async function measure(name: string, start: StartServer, dir: string): Promise<number> {
  let best = 0;
  let failedAt: number | undefined;
  const report = (s: Step) =>
    console.log(
      `  ${name.padEnd(8)} ${String(s.rate).padStart(5)}/s: ${s.ok ? 'ok  ' : 'FAIL'} ` +
        `calls ${s.successful} failed ${s.failed} retransmissions ${s.retransmissions} ` +
        `achieved ${s.achieved}/s, server CPU ${s.cpu}% (${s.cpuPerCall.toFixed(2)} ms/call), ` +
        `UDP receive drops ${s.udpDrops}`,
    );
  for (const rate of RATES) {
    const step = await runStep(name, start, rate, dir);
    report(step);
    if (!step.ok) {
      failedAt = rate;
      break;
    }
    best = rate;
  }
  if (failedAt !== undefined && failedAt - best >= 200) {
    const middle = Math.round((best + failedAt) / 200) * 100;
    const step = await runStep(name, start, middle, dir);
    report(step);
    if (step.ok) best = middle;
  }
  return best;
}

function kamailioVersion(): string | undefined {
  const r = spawnSync('kamailio', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.match(/kamailio [\d.]+/)?.[0];
}

let sippVersion: string;
try {
  sippVersion = requireSipp();
} catch (err) {
  console.log(`sip-proxy-calls: not measured: ${(err as Error).message}`);
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), 'ims-bench-sip-'));
try {
  console.log(
    `calls (INVITE/180/200/ACK/BYE/200) through a record-routing stateful proxy, UDP on 127.0.0.1, ` +
      `${SECONDS} s per rate, ${sippVersion} caller and callee on the same machine`,
  );
  const only = process.env.BENCH_SIP_ONLY;
  let ours = 0;
  if (only !== 'kamailio') {
    ours = await measure('ours', ourProxy, dir);
    console.log(`ours: highest call rate with no failed call: ${ours}/s`);
  }
  const version = kamailioVersion();
  if (only === 'ours') {
    // Our figure only.
  } else if (!version) {
    console.log('kamailio is not installed: no reference figure (apt-get install kamailio)');
  } else {
    console.log(`reference: ${version}, bench/kamailio-proxy.cfg (tm + rr, 4 UDP workers, 1 GB shm)`);
    const reference = await measure('kamailio', kamailio(dir), dir);
    console.log(`kamailio: highest call rate with no failed call: ${reference}/s`);
    if (reference > 0 && only === undefined) {
      console.log(`ratio ours/kamailio: ${(ours / reference).toFixed(2)}`);
    }
  }
} finally {
  if (!process.env.BENCH_SIP_KEEP) await rm(dir, { recursive: true, force: true });
  else console.log(`files kept in ${dir}`);
}
