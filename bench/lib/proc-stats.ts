/**
 * What a benchmark reads about processes and the machine from /proc: CPU time of a process or
 * of a process and its children, resident memory (VmRSS, and Pss for processes sharing memory
 * like Kamailio's workers), the kernel's UDP receive errors, and a one-line machine description.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';

/** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on Linux x86_64). */
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat after the command name: [0] = state, [1] = ppid, [11] = utime, [12] = stime. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / CLOCK_TICKS : 0;
}

/** The process and its direct children (Kamailio's main process and its workers). */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (statFields(Number(name))?.[1] === String(pid)) pids.push(Number(name));
  }
  return pids;
}

/** CPU seconds of a process and its direct children. */
export function processTreeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + processCpuSeconds(p), 0);
}

function statusKb(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident set size of a process, in KiB (VmRSS). */
export function rssKb(pid: number): number {
  return statusKb(pid, 'VmRSS');
}

/**
 * Proportional set size of a process and its children, in KiB: shared memory (Kamailio's shm
 * holding the location table) counted once across the workers instead of once per worker.
 */
export function treePssKb(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      total += Number(rollup.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
    } catch {
      // Gone meanwhile, or not readable.
    }
  }
  return total;
}

/** The kernel's count of UDP datagrams dropped for a full receive buffer (all sockets). */
export function udpReceiveErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n');
  const header = lines.find((l) => l.startsWith('Udp: ') && l.includes('RcvbufErrors'));
  const values = lines.find((l) => l.startsWith('Udp: ') && /\d/.test(l));
  if (!header || !values) return 0;
  const i = header.split(' ').indexOf('RcvbufErrors');
  return Number(values.split(' ')[i] ?? 0);
}

/** CPU model, core count, Node version and kernel, for the report. */
export function machineDescription(): { cpu: string; cores: number; node: string; kernel: string } {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    node: process.version,
    kernel: `Linux ${release()}`,
  };
}

/** CPU seconds per named process, read at the start of a step; `since()` gives % of one core. */
export class CpuMeter {
  private readonly start: Map<string, number>;
  private readonly t0 = process.hrtime.bigint();

  constructor(private readonly read: () => Map<string, number>) {
    this.start = read();
  }

  /** % of one core per process over the time since construction. */
  since(): Record<string, number> {
    const seconds = Number(process.hrtime.bigint() - this.t0) / 1e9;
    const out: Record<string, number> = {};
    for (const [name, cpu] of this.read()) {
      out[name] = Math.round((100 * (cpu - (this.start.get(name) ?? 0))) / Math.max(seconds, 1e-3));
    }
    return out;
  }
}
