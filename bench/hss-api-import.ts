/**
 * `ims subscriber import` end to end (issue #6): a CSV of N subscribers (impu,password,k,opc,tel:
 * digest and AKA, a SIP and a tel IMPU each) imported by the `ims` command in a child process
 * through the REST API (listening in this process) into a new SQLite file. Prints rows/s and
 * the largest resident set of the command (it streams the file: it must not grow with N).
 * Usage: node --import tsx bench/hss-api-import.ts [N=200000] [batch=1000]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHssApi } from '../src/functions/hss/api/hss-api.ts';
import { silentLogger } from '../src/log/logger.ts';
import { SqliteSubscriberStore } from '../src/store/sqlite/sqlite-subscriber-store.ts';

const N = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 1000);
const bin = new URL('../bin/ims.js', import.meta.url).pathname;
const TIME = '/usr/bin/time';

async function writeCsv(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const k = randomBytes(16).toString('hex');
  const opc = randomBytes(16).toString('hex');
  out.write('impu,password,k,opc,tel\n');
  for (let i = 0; i < n; i++) {
    const id = String(i).padStart(7, '0');
    if (!out.write(`sip:user${id}@ims.test,pw${id},${k},${opc},+1555${id}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'ims-bench-api-import-'));
try {
  const csv = join(dir, 'subscribers.csv');
  await writeCsv(csv, N);
  const store = await SqliteSubscriberStore.open({ path: join(dir, 'hss.sqlite') });
  const api = await startHssApi({ store, logger: silentLogger }, { host: '127.0.0.1', port: 0 });
  try {
    // GNU time reports the command's maximum resident set size (kB) on the last line of stderr.
    const measured = existsSync(TIME);
    const args = ['subscriber', 'import', csv, '--hss', api.url, '--batch', String(BATCH), '--json'];
    const command = measured
      ? [TIME, '-f', 'maxrss %M', process.execPath, bin, ...args]
      : [process.execPath, bin, ...args];
    const started = process.hrtime.bigint();
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = (await once(child, 'close')) as [number | null];
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = JSON.parse(stdout) as { rows: number; imported: number; failed: number };
    const rss = /maxrss (\d+)/.exec(stderr)?.[1];
    console.log(
      `hss api import: ${summary.imported.toLocaleString('en')} of ${summary.rows.toLocaleString('en')} subscribers` +
        ` (${summary.failed} failed) by \`ims subscriber import\` over HTTP in ${seconds.toFixed(1)} s` +
        ` = ${Math.round(summary.imported / seconds).toLocaleString('en')} subscribers/s, batch ${BATCH}` +
        (rss ? `; command max RSS ${(Number(rss) / 1024).toFixed(0)} MiB` : ''),
    );
    if (code !== 0 || summary.failed > 0) process.exitCode = 1;
  } finally {
    await api.close();
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
