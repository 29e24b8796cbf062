/**
 * Kamailio (Debian `kamailio`) as the reference: bench/kamailio-registrar.cfg, an in-memory
 * registrar with digest auth and a tm + rr stateful proxy to the registered contacts, 4 UDP
 * workers, 1 GB shared memory, listening on a free port of 127.0.0.1. Started and stopped by
 * its PID; CPU and memory read for the main process and its workers together.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, isBound } from '../../test/interop/helpers/free-port.ts';
import { processTreeCpuSeconds, treePssKb } from './proc-stats.ts';
import type { SystemUnderTest } from './sipp-load.ts';

const CONFIG = new URL('../kamailio-registrar.cfg', import.meta.url).pathname;

/** The one password of every user (the config's BENCH_PASSWORD). */
export const KAMAILIO_PASSWORD = 'benchpass';

export interface KamailioServer extends SystemUnderTest {
  pid: number;
  /** Pss of the main process and its workers, KiB (shared memory counted once). */
  memoryKb(): number;
  logTail(): string;
  stop(): Promise<void>;
}

/** "kamailio 5.6.3", or undefined when it is not installed. */
export function kamailioVersion(): string | undefined {
  const r = spawnSync('kamailio', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.match(/kamailio [\d.]+/)?.[0];
}

export async function startKamailio(dir: string): Promise<KamailioServer> {
  const port = await freePort();
  const logFile = join(dir, 'kamailio.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    'kamailio',
    [
      '-f',
      CONFIG,
      '-m',
      '1024',
      '-M',
      '16',
      '-DD',
      '-E',
      '-A',
      `BENCH_LISTEN=udp:127.0.0.1:${port}`,
      '-A',
      `BENCH_PASSWORD="${KAMAILIO_PASSWORD}"`,
    ],
    { cwd: dir, stdio: ['ignore', log, log] },
  );
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pid = child.pid!;
  for (let i = 0; i < 100 && !exited && !(await isBound('udp', port)); i++) await sleep(50);
  const logTail = () => readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
  if (exited) throw new Error(`kamailio did not start:\n${logTail()}`);
  // The workers fork after the socket is bound: wait until they exist so CPU covers them.
  await sleep(500);
  return {
    name: 'kamailio',
    target: `127.0.0.1:${port}`,
    pid,
    cpu: () => new Map([['kamailio', processTreeCpuSeconds(pid)]]),
    memoryKb: () => treePssKb(pid),
    logTail,
    async stop() {
      if (exited) return;
      // By its PID; its workers follow the main process.
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    },
  };
}
