/**
 * HSS bulk import (issue #6): N generated subscribers (digest password, AKA K/OPc, a SIP and a
 * tel IMPU each, as `ims subscriber import` makes them from CSV) imported into a new SQLite file
 * through SubscriberStore.bulkImport. Prints the time, subscribers/s and the database size.
 * Usage: node --import tsx bench/hss-bulk-import.ts [N] [batchSize]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewSubscription } from '../src/functions/hss/model.ts';
import { newSubscription } from '../src/functions/hss/subscriber-defaults.ts';
import { SqliteSubscriberStore } from '../src/store/sqlite/sqlite-subscriber-store.ts';

/** Default N: 1,000,000 takes about two minutes on the reference machine (see the numbers printed). */
const N = Number(process.argv[2] ?? 1_000_000);
const BATCH = Number(process.argv[3] ?? 5000);

function* subscribers(n: number): Generator<NewSubscription> {
  const k = randomBytes(16).toString('hex');
  const opc = randomBytes(16).toString('hex');
  for (let i = 0; i < n; i++) {
    const id = String(i).padStart(7, '0');
    yield newSubscription({ impu: `sip:user${id}@ims.test`, password: `pw${id}`, k, opc, tel: `+1555${id}` });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ims-bench-hss-'));
const path = join(dir, 'hss.sqlite');
try {
  const store = await SqliteSubscriberStore.open({ path });
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let lastReport = 0;
  const result = await store.bulkImport(subscribers(N), {
    batchSize: BATCH,
    onProgress: (p) => {
      if (p.processed - lastReport >= N / 10) {
        lastReport = p.processed;
        const s = Number(process.hrtime.bigint() - start) / 1e9;
        console.log(`  ${p.imported.toLocaleString('en')} imported after ${s.toFixed(1)} s`);
      }
    },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const lookups = 10_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lookups; i++) {
    const id = String(Math.floor((i * 7919) % N)).padStart(7, '0');
    await store.getSubscriptionByImpu(`tel:+1555${id}`);
  }
  const lookupUs = Number(process.hrtime.bigint() - t0) / 1e3 / lookups;
  await store.close();
  const size = ['', '-wal', '-shm']
    .map((suffix) => {
      try {
        return statSync(path + suffix).size;
      } catch {
        return 0;
      }
    })
    .reduce((a, b) => a + b, 0);
  console.log(
    `hss bulk import: ${result.imported.toLocaleString('en')} subscribers (${result.failed} failed) in ${seconds.toFixed(1)} s` +
      ` = ${Math.round(result.imported / seconds).toLocaleString('en')} subscribers/s (CPU ${cpuSeconds.toFixed(1)} s), batch ${BATCH};` +
      ` database ${(size / 2 ** 20).toFixed(0)} MiB (${Math.round(size / Math.max(1, result.imported))} B/subscriber);` +
      ` lookup by tel IMPU ${lookupUs.toFixed(0)} µs`,
  );
  if (result.failed > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
