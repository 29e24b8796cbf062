/**
 * HSS MAR rate (issue #6): an HSS (startHss, its own process) over a SQLite file of N
 * subscribers answers Multimedia-Auth-Requests from a client node (this process, playing the
 * S-CSCF) over Diameter/TCP on 127.0.0.1, with C requests outstanding. Prints MAA/s and the
 * p50/p99 latency for IMS AKA (one vector each: Milenage and an SQN committed per MAR) with
 * SQLite synchronous FULL (the default: the SQN is on disk before the vector leaves) and NORMAL,
 * and for SIP Digest (H(A1); the S-CSCF name is still written).
 *
 * The database is built once (SubscriberStore.bulkImport, the subscribers of
 * bench/hss-bulk-import.ts: ~2 min for 1,000,000) and kept under $TMPDIR/ims-bench-hss-mar for
 * the next runs; delete that folder to rebuild it.
 * Usage: node --import tsx bench/hss-mar.ts [N=1000000] [seconds=10] [concurrency=64]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { validateConfig } from '../src/config/load.ts';
import { CxApplication } from '../src/diameter/apps/cx.ts';
import { answerResult } from '../src/diameter/apps/result.ts';
import { DiameterNode } from '../src/diameter/node.ts';
import { hssConfigSchema } from '../src/functions/hss/config.ts';
import { startHss } from '../src/functions/hss/index.ts';
import type { NewSubscription } from '../src/functions/hss/model.ts';
import { newSubscription } from '../src/functions/hss/subscriber-defaults.ts';
import { silentLogger } from '../src/log/logger.ts';
import { SqliteSubscriberStore } from '../src/store/sqlite/sqlite-subscriber-store.ts';

const HSS_HOST = 'hss.ims.test';
const SCSCF_NAME = 'sip:scscf.ims.test:6060';
const WARMUP_MS = 2000;
const id7 = (i: number) => String(i).padStart(7, '0');

/** Server mode: `hss-mar.ts --serve FILE FULL|NORMAL` starts the HSS and prints its port. */
async function serve(path: string, synchronous: 'FULL' | 'NORMAL'): Promise<void> {
  const config = validateConfig(hssConfigSchema, {
    diameter: { originHost: HSS_HOST, listen: { port: 0 }, acceptUnknownPeers: true },
    store: { backend: 'sqlite', path, synchronous },
  });
  const hss = await startHss(config, silentLogger);
  console.log(`port ${hss.port}`);
  // Stops when the parent closes stdin (or goes away).
  process.stdin.resume();
  process.stdin.on('end', () => {
    hss.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

function* subscribers(n: number): Generator<NewSubscription> {
  const k = randomBytes(16).toString('hex');
  const opc = randomBytes(16).toString('hex');
  for (let i = 0; i < n; i++) {
    const id = id7(i);
    yield newSubscription({ impu: `sip:user${id}@ims.test`, password: `pw${id}`, k, opc, tel: `+1555${id}` });
  }
}

/** The cached database of `n` subscribers, built when missing. */
async function database(n: number): Promise<string> {
  const dir = join(tmpdir(), 'ims-bench-hss-mar');
  const path = join(dir, `hss-${n}.sqlite`);
  const complete = `${path}.complete`;
  if (existsSync(complete)) {
    console.log(`  reusing ${path}`);
    return path;
  }
  mkdirSync(dir, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const started = process.hrtime.bigint();
  const store = await SqliteSubscriberStore.open({ path });
  let reported = 0;
  const result = await store.bulkImport(subscribers(n), {
    batchSize: 5000,
    onProgress: (p) => {
      if (p.processed - reported >= n / 5) {
        reported = p.processed;
        console.log(`  building: ${p.imported.toLocaleString('en')} imported`);
      }
    },
  });
  await store.close();
  if (result.failed > 0) throw new Error(`${result.failed} subscribers failed to import`);
  writeFileSync(complete, '');
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`  built ${path}: ${n.toLocaleString('en')} subscribers in ${s.toFixed(0)} s`);
  return path;
}

async function startServer(
  path: string,
  synchronous: 'FULL' | 'NORMAL',
): Promise<{ child: ChildProcess; port: number }> {
  const self = new URL(import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve', path, synchronous], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the HSS exited with ${code} before listening`)));
    lines.once('line', (line) => resolve(Number(line.replace('port ', ''))));
  });
  child.removeAllListeners('exit');
  return { child, port };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface RunResult {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  seconds: number;
}

/** C workers send MARs for random subscribers until the time is up; only after the warm-up counts. */
async function run(
  cx: CxApplication,
  n: number,
  scheme: string,
  seconds: number,
  concurrency: number,
): Promise<RunResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + seconds * 1000;
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const id = id7(Math.floor(Math.random() * n));
      try {
        const maa = await cx.multimediaAuth({
          userName: `user${id}@ims.test`,
          publicIdentity: `sip:user${id}@ims.test`,
          sipNumberAuthItems: 1,
          sipAuthDataItem: { sipAuthenticationScheme: scheme },
          serverName: SCSCF_NAME,
        });
        const result = answerResult(maa);
        if (!result.success) throw new Error(`result ${result.code}`);
        if (t0 >= measureFrom && performance.now() <= end) latencies.push(performance.now() - t0);
      } catch (err) {
        if (t0 >= measureFrom) errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (firstError !== undefined) console.log(`  first error: ${firstError}`);
  const sorted = Float64Array.from(latencies).sort();
  return {
    rate: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors,
    seconds,
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const seconds = Number(process.argv[3] ?? 10);
  const concurrency = Number(process.argv[4] ?? 64);
  const path = await database(n);
  const cases = [
    { label: 'IMS AKA (Digest-AKAv1-MD5), synchronous FULL', scheme: 'Digest-AKAv1-MD5', sync: 'FULL' },
    { label: 'IMS AKA (Digest-AKAv1-MD5), synchronous NORMAL', scheme: 'Digest-AKAv1-MD5', sync: 'NORMAL' },
    { label: 'SIP Digest (MD5 H(A1)), synchronous FULL', scheme: 'SIP Digest', sync: 'FULL' },
  ] as const;
  for (const c of cases) {
    const { child, port } = await startServer(path, c.sync);
    const client = new DiameterNode({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: HSS_HOST, address: '127.0.0.1', port }],
      requestTimeout: 10_000,
    });
    const cx = new CxApplication(client);
    try {
      await client.start();
      await client.waitForPeer(HSS_HOST);
      const r = await run(cx, n, c.scheme, seconds, concurrency);
      console.log(
        `hss MAR: ${n.toLocaleString('en')} subscribers in SQLite, ${c.label}, ${concurrency} outstanding from one client over TCP on 127.0.0.1:` +
          ` ${Math.round(r.rate).toLocaleString('en')} MAA/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms,` +
          ` ${r.errors} errors (${r.seconds} s after ${WARMUP_MS / 1000} s warm-up)`,
      );
      if (r.errors > 0) process.exitCode = 1;
    } finally {
      await client.close();
      await stopServer(child);
    }
  }
}

if (process.argv[2] === '--serve')
  await serve(process.argv[3]!, process.argv[4] === 'NORMAL' ? 'NORMAL' : 'FULL');
else await main();
