/**
 * Our core as an operator runs it, for tests with real peers: `node bin/ims.js up --config FILE`
 * (HSS, S-CSCF, I-CSCF, P-CSCF each in its own child process), every listener on a free port so
 * several test files (and test/cli/up.test.ts, which owns the default ports) run side by side.
 * The ims.yaml written names those ports twice: where each function listens AND the URIs other
 * functions reach it by (the S-CSCF's serverName and routing.icscf, the I-CSCF's scscfs, the
 * P-CSCF's icscf, the Diameter peers). Ready once `ims up` printed `Ctrl-C stops.`; stop() sends
 * SIGINT, expects exit 0 and no child process left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isBound } from './free-port.ts';
import { processAlive } from './watched-process.ts';

const BIN = new URL('../../../bin/ims.js', import.meta.url).pathname;
const ADDRESS = '127.0.0.1';
export const IMS_UP_DOMAIN = 'ims.test';

export type FunctionName = 'hss' | 'scscf' | 'icscf' | 'pcscf';
const FUNCTIONS: readonly FunctionName[] = ['hss', 'scscf', 'icscf', 'pcscf'];

/** A demo subscriber as `ims up` provisions it (DATA/demo-subscribers.json). */
export interface ImsUpSubscriber {
  impu: string;
  impi: string;
  tel: string;
  password: string;
  k: string;
  opc: string;
  amf: string;
}

export interface ImsUpPorts {
  /** P-CSCF SIP, UDP and TCP. */
  pcscf: number;
  /** P-CSCF WebSocket (RFC 7118), when asked for. */
  pcscfWs?: number;
  icscf: number;
  scscf: number;
  hssDiameter: number;
  hssApi: number;
  /** /health and /metrics of each function. */
  http: Record<FunctionName, number>;
}

export interface ImsUpOptions {
  /** Every function's log level; default `info`. */
  logLevel?: string;
  /** Give the P-CSCF a WebSocket listener too. */
  pcscfWs?: boolean;
  /** Extra keys merged into each function's section (e.g. `{ scscf: { registrar: {...} } }`). */
  sections?: Partial<Record<FunctionName, Record<string, unknown>>>;
  /** How long `ims up` may take to print `Ctrl-C stops.`; default 45 s. */
  readyTimeoutMs?: number;
}

/** The short form of the REST API's POST /api/v1/subscribers (src/functions/hss/api). */
export interface NewSubscriberBody {
  impu: string;
  impi?: string;
  password?: string;
  k?: string;
  op?: string;
  opc?: string;
  amf?: string;
  tel?: string;
}

export interface ImsUp {
  readonly dataDir: string;
  readonly configFile: string;
  readonly ports: ImsUpPorts;
  /** alice, bob, carol, dave @ims.test. */
  readonly subscribers: readonly ImsUpSubscriber[];
  /** `ims up` itself and each function's process. */
  readonly pids: ReadonlyMap<string, number>;
  /** The demo subscriber `name` (`alice`, or `alice@ims.test`). */
  subscriber(name: string): ImsUpSubscriber;
  /** The P-CSCF as an outbound proxy: `sip:127.0.0.1:P;transport=udp`. */
  pcscfUri(transport?: 'udp' | 'tcp'): string;
  /** Everything `ims up` printed so far (the combined log: `HH:MM:SS.mmm scscf INFO msg k=v`). */
  log(): string;
  /** Log lines of `fn` (or any function) matching `pattern`. */
  logLines(pattern: RegExp, fn?: FunctionName): string[];
  /** The /metrics text of a function. */
  metrics(fn: FunctionName): Promise<string>;
  /** Sum of the samples of `metric` whose labels include all of `labels` (0 when none). */
  metricValue(fn: FunctionName, metric: string, labels?: Record<string, string>): Promise<number>;
  /** Creates a subscriber through the HSS REST API; throws with the API's answer unless 201. */
  provision(body: NewSubscriberBody): Promise<void>;
  /** SIGINT to `ims up`; resolves once it exited 0 and no function process is left. */
  stop(): Promise<void>;
}

/** Every port distinct and free now (UDP and TCP). */
async function pickPorts(withWs: boolean): Promise<ImsUpPorts> {
  const taken: number[] = [];
  const next = async () => {
    const p = await freePort(ADDRESS, taken);
    taken.push(p);
    return p;
  };
  const ports: ImsUpPorts = {
    pcscf: await next(),
    icscf: await next(),
    scscf: await next(),
    hssDiameter: await next(),
    hssApi: await next(),
    http: { hss: await next(), scscf: await next(), icscf: await next(), pcscf: await next() },
  };
  if (withWs) ports.pcscfWs = await next();
  return ports;
}

function merge(
  base: Record<string, unknown>,
  extra: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra ?? {})) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** The ims.yaml of this run (JSON is YAML). */
export function imsUpConfig(dataDir: string, ports: ImsUpPorts, options: ImsUpOptions = {}): string {
  const listen = (port: number) => [
    { protocol: 'udp', host: ADDRESS, port },
    { protocol: 'tcp', host: ADDRESS, port },
  ];
  const hssPeer = [{ host: 'hss.ims.test', address: ADDRESS, port: ports.hssDiameter }];
  const icscfUri = `sip:icscf.ims.test:${ports.icscf}`;
  const scscfUri = `sip:scscf.ims.test:${ports.scscf}`;
  const sections: Record<FunctionName, Record<string, unknown>> = {
    hss: {
      http: { port: ports.http.hss },
      diameter: { listen: { address: ADDRESS, port: ports.hssDiameter } },
      api: { listen: { address: ADDRESS, port: ports.hssApi } },
    },
    scscf: {
      http: { port: ports.http.scscf },
      sip: { port: ports.scscf, listen: listen(ports.scscf) },
      serverName: scscfUri,
      diameter: { peers: hssPeer },
      routing: { icscf: icscfUri },
    },
    icscf: {
      http: { port: ports.http.icscf },
      sip: { port: ports.icscf, listen: listen(ports.icscf) },
      diameter: { peers: hssPeer },
      scscfs: [{ uri: scscfUri }],
    },
    pcscf: {
      http: { port: ports.http.pcscf },
      sip: {
        port: ports.pcscf,
        // No tls/wss: they would need the default ports 5061/7443 or a certificate.
        listen: [
          ...listen(ports.pcscf),
          ...(ports.pcscfWs !== undefined ? [{ protocol: 'ws', host: ADDRESS, port: ports.pcscfWs }] : []),
        ],
      },
      icscf: icscfUri,
    },
  };
  const config = {
    domain: IMS_UP_DOMAIN,
    data: dataDir,
    log: { level: options.logLevel ?? 'info' },
    ...Object.fromEntries(FUNCTIONS.map((f) => [f, merge(sections[f], options.sections?.[f])])),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Prometheus text: the sum of `metric`'s samples whose labels include `labels`. */
export function sumMetric(text: string, metric: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== metric) continue;
    const found: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[l[1]!] = l[2]!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter((p) => processAlive(p));
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `ims up --config` on free ports in a fresh data directory; resolves once it serves.
 * The ports are free when picked but only bound seconds later, by the children: when one was
 * taken meanwhile (EADDRINUSE), it starts again once on other ports.
 */
export async function startImsUp(options: ImsUpOptions = {}): Promise<ImsUp> {
  try {
    return await startOnce(options);
  } catch (err) {
    if (!/EADDRINUSE|address already in use/i.test((err as Error).message)) throw err;
    return startOnce(options);
  }
}

async function startOnce(options: ImsUpOptions): Promise<ImsUp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ims-up-test-'));
  const ports = await pickPorts(options.pcscfWs === true);
  const configFile = join(dataDir, 'ims.yaml');
  await writeFile(configFile, imsUpConfig(dataDir, ports, options));
  const child = spawn(process.execPath, [BIN, 'up', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  const exit = waitForExit(child);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ims up: not ready after ${options.readyTimeoutMs ?? 45_000} ms:\n${output}`)),
      options.readyTimeoutMs ?? 45_000,
    );
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      if (output.includes('Ctrl-C stops.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ims up exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });

  const functionPids = async (): Promise<Map<string, number>> => {
    const state = JSON.parse(await readFile(join(dataDir, 'ims-up.json'), 'utf8')) as {
      functions: { name: string; pid: number }[];
    };
    return new Map(state.functions.map((f) => [f.name, f.pid]));
  };
  let pids = new Map<string, number>();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        const { code, signal } = await exit;
        clearTimeout(killer);
        const left = await waitUntilGone([...pids.values()], 5000);
        for (const pid of left) process.kill(pid, 'SIGKILL');
        if (code !== 0)
          throw new Error(`ims up exited with ${signal ?? code} on SIGINT:\n${output.slice(-3000)}`);
        if (left.length > 0) throw new Error(`ims up left processes running: ${left.join(', ')}`);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    })();
    return stopped;
  };

  try {
    await ready;
    pids = await functionPids();
    pids.set('ims-up', child.pid!);
    for (const fn of FUNCTIONS) if (!pids.has(fn)) throw new Error(`ims up did not start ${fn}:\n${output}`);
    if (!(await isBound('udp', ports.pcscf))) throw new Error(`P-CSCF not on udp ${ports.pcscf}:\n${output}`);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  const subscribers = JSON.parse(
    await readFile(join(dataDir, 'demo-subscribers.json'), 'utf8'),
  ) as ImsUpSubscriber[];

  const base = (fn: FunctionName) => `http://${ADDRESS}:${ports.http[fn]}`;
  const metrics = async (fn: FunctionName): Promise<string> => {
    const r = await fetch(`${base(fn)}/metrics`);
    if (r.status !== 200) throw new Error(`${fn} /metrics: ${r.status}`);
    return r.text();
  };
  return {
    dataDir,
    configFile,
    ports,
    subscribers,
    pids,
    subscriber(name) {
      const impi = name.includes('@') ? name : `${name}@${IMS_UP_DOMAIN}`;
      const s = subscribers.find((x) => x.impi === impi);
      if (!s) throw new Error(`no demo subscriber ${impi}`);
      return s;
    },
    pcscfUri: (transport = 'udp') => `sip:${ADDRESS}:${ports.pcscf};transport=${transport}`,
    log: () => output,
    logLines(pattern, fn) {
      return output
        .split('\n')
        .filter((l) => (fn === undefined || new RegExp(`^\\S+ ${fn} `).test(l)) && pattern.test(l));
    },
    metrics,
    metricValue: async (fn, metric, labels) => sumMetric(await metrics(fn), metric, labels),
    async provision(body) {
      const r = await fetch(`http://${ADDRESS}:${ports.hssApi}/api/v1/subscribers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (r.status !== 201) throw new Error(`provisioning ${body.impu}: ${r.status} ${await r.text()}`);
    },
    stop,
  };
}
