import { resolve } from 'node:path';
import type { HealthReport } from '../functions/host/index.ts';
import type { PeerStatus } from '../functions/running-function.ts';
import { parseCommandLine } from './command-line.ts';
import { loadDeployment } from './deployment.ts';
import { CliError } from './errors.ts';
import { printUsage, wantsHelp } from './help.ts';
import { isAlive, readUpState, upStateFile } from './up-state.ts';
import { diameterPeers, sipListeners } from './up-summary.ts';

/** One function in `ims status --json` (a stable shape: fields are added, never changed). */
export interface FunctionStatusLine {
  name: string;
  pid: number;
  /** up: /health says healthy; unhealthy: running but cannot serve; down: not running or not answering. */
  state: 'up' | 'unhealthy' | 'down';
  http: string | null;
  sip: { protocol: string; host: string; port: number }[];
  diameterPort: number | null;
  diameterPeers: PeerStatus[];
  registeredUsers: number | null;
  details: Record<string, unknown>;
}

export interface StatusReport {
  pid: number;
  startedAt: string;
  domain: string;
  dataDir: string;
  functions: FunctionStatusLine[];
}

/**
 * `ims status [--json] [--data DIR | --config ims.yaml]`: what `ims up` runs (DATA/ims-up.json)
 * and, from each function's /health, its SIP listeners, Diameter peers and registered users.
 * Exit 1 with one line when nothing runs.
 */
const USAGE = `usage: ims status [--json] [--data DIR | --config ims.yaml]

What \`ims up\` runs: each function, its SIP listeners, Diameter peers and registered users.
  --json               the report as JSON (stable for scripts)
  --data DIR           the data directory of \`ims up\` (default ./data)
  --config, -c FILE    or the ims.yaml that names it
Exit status 1 when nothing runs.`;

export async function statusCommand(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(USAGE);
  const { values } = parseCommandLine('ims status', {
    args,
    options: {
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      config: { type: 'string', short: 'c' },
    },
    strict: true,
  });
  const dataDir =
    values.config !== undefined && values.data === undefined
      ? (
          await loadDeployment(values.config, undefined).catch((err: Error) => {
            throw new CliError(`ims status: ${err.message.split('\n')[0]}`);
          })
        ).dataDir
      : resolve(values.data ?? './data');
  const state = readUpState(dataDir);
  if (!state)
    throw new CliError(`ims status: nothing running (no ${upStateFile(dataDir)}; start with ims up)`);
  if (!isAlive(state.pid))
    throw new CliError(
      `ims status: nothing running (ims up pid ${state.pid} is gone; stale ${upStateFile(dataDir)})`,
    );
  const functions = await Promise.all(state.functions.map((f) => query(f.name, f.pid, f.http)));
  const report: StatusReport = {
    pid: state.pid,
    startedAt: state.startedAt,
    domain: state.domain,
    dataDir: state.dataDir,
    functions,
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(table(report));
  return 0;
}

async function query(name: string, pid: number, http: string | undefined): Promise<FunctionStatusLine> {
  const line: FunctionStatusLine = {
    name,
    pid,
    state: 'down',
    http: http ?? null,
    sip: [],
    diameterPort: null,
    diameterPeers: [],
    registeredUsers: null,
    details: {},
  };
  if (!isAlive(pid) || !http) return line;
  try {
    const res = await fetch(`${http}/health`, { signal: AbortSignal.timeout(2000) });
    const health = (await res.json()) as HealthReport;
    line.state = res.status === 200 ? 'up' : 'unhealthy';
    line.sip = health.sip ?? [];
    line.diameterPort = health.diameterPort ?? null;
    line.diameterPeers = health.diameterPeers ?? [];
    line.registeredUsers = health.registeredUsers ?? null;
    line.details = health.details ?? {};
  } catch {
    // Alive but not answering: down as far as anyone can tell.
  }
  return line;
}

function table(report: StatusReport): string {
  const rows = [['FUNCTION', 'PID', 'STATE', 'SIP', 'DIAMETER PEERS', 'USERS']];
  for (const f of report.functions) {
    rows.push([
      f.name,
      String(f.pid),
      f.state,
      sipListeners(f) || '-',
      diameterPeers(f) || '-',
      f.registeredUsers === null ? '-' : String(f.registeredUsers),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  return [
    `ims up pid ${report.pid}, domain ${report.domain}, data in ${report.dataDir}, since ${report.startedAt}`,
    '',
    ...lines,
  ].join('\n');
}
