/**
 * S-CSCF registration store: 100,000 registered users (two IMPUs, one binding with Path, a
 * User-Data document with one iFC) in the memory store — registration, re-registration and
 * lookup rates, heap per registered user, snapshot write and load — then the same updates
 * against a local redis-server (skipped, with a note, when none is installed).
 * Run: node --import tsx bench/registration-store.ts
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DefaultHandling, SessionCase } from '../src/ims/ifc/model.ts';
import { buildUserData } from '../src/ims/user-data.ts';
import { MemoryRegistrationStore } from '../src/store/registrations/memory-registration-store.ts';
import { RedisRegistrationStore } from '../src/store/registrations/redis-registration-store.ts';
import type { Binding, Registration, RegistrationStore } from '../src/store/registrations/types.ts';

const USERS = 100_000;
const REDIS_USERS = 20_000;
const CONCURRENCY = 64;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapBytes(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const impu = (i: number): string => `sip:user${i}@ims.test`;
const tel = (i: number): string => `tel:+1555${String(i).padStart(7, '0')}`;

/** The User-Data of a user: one document built once, identities substituted (building is not measured). */
const USER_DATA_TEMPLATE = buildUserData({
  privateId: 'USER@ims.test',
  serviceProfiles: [
    {
      publicIdentities: [{ identity: 'sip:USER@ims.test' }, { identity: 'tel:TEL' }],
      initialFilterCriteria: [
        {
          priority: 0,
          triggerPoint: {
            conditionTypeCNF: false,
            spts: [
              { kind: 'method', method: 'INVITE', conditionNegated: false, groups: [0] },
              {
                kind: 'sessionCase',
                sessionCase: SessionCase.ORIGINATING_SESSION,
                conditionNegated: false,
                groups: [0],
              },
            ],
          },
          applicationServer: {
            serverName: 'sip:as.ims.test:5080',
            defaultHandling: DefaultHandling.SESSION_CONTINUED,
          },
        },
      ],
      sharedIfcSetIds: [],
    },
  ],
});

function userData(i: number): string {
  return USER_DATA_TEMPLATE.replaceAll('USER', `user${i}`).replace('tel:TEL', tel(i));
}

function binding(i: number, now: number, cseq: number): Binding {
  return {
    contact: `sip:user${i}@10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:5060;transport=udp`,
    params: '+sip.instance="<urn:gsma:imei:35209900-176148-1>";reg-id=1;expires=600',
    expiresAt: now + 600_000,
    path: ['<sip:term@pcscf.ims.test:5060;lr>'],
    instanceId: 'urn:gsma:imei:35209900-176148-1',
    regId: 1,
    callId: `${i.toString(36)}-4f1c2a9b@10.0.0.1`,
    cseq,
    chargingVector: `icid-value=pcscf-${i.toString(16)};icid-generated-at=10.0.0.1`,
    pcscf: 'sip:pcscf.ims.test:5060',
    id: `c${i.toString(36)}`,
    registeredAt: now,
  };
}

function registration(i: number, now: number): Registration {
  return {
    impus: [impu(i), tel(i)],
    barred: [],
    impi: `user${i}@ims.test`,
    state: 'registered',
    userData: userData(i),
    bindings: [binding(i, now, 1)],
    revision: 0,
  };
}

/** Re-registration: the binding's expiry and CSeq move on. */
function refresh(cur: Registration | undefined): Registration | undefined {
  if (!cur) return undefined;
  const now = Date.now();
  return {
    ...cur,
    bindings: cur.bindings.map((b) => ({ ...b, expiresAt: now + 600_000, cseq: b.cseq + 1 })),
  };
}

/** Runs `op(i)` for i in [0, n) with `concurrency` in flight; returns operations per second. */
async function rate(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await op(next++);
    }),
  );
  return (n * 1e9) / Number(process.hrtime.bigint() - start);
}

const line = (name: string, value: string): void => console.log(`${name.padEnd(58)} ${value}`);
const perSecond = (r: number): string => `${Math.round(r).toLocaleString('en')}/s`;

async function updates(
  store: RegistrationStore,
  n: number,
  concurrency: number,
  label: string,
): Promise<void> {
  const now = Date.now();
  line(
    `${label}: initial registration (update, new record)`,
    perSecond(await rate(n, concurrency, (i) => store.update(impu(i), () => registration(i, now)))),
  );
  line(
    `${label}: re-registration (update of a record)`,
    perSecond(await rate(n, concurrency, (i) => store.update(tel(i), refresh))),
  );
  line(`${label}: lookup by IMPU (get)`, perSecond(await rate(n, concurrency, (i) => store.get(tel(i)))));
}

async function memory(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-bench-reg-'));
  const path = join(dir, 'registrations.snapshot');
  try {
    const before = heapBytes();
    const store = await MemoryRegistrationStore.open({ snapshotPath: path, snapshotIntervalMs: 3_600_000 });
    await updates(store, USERS, 1, `memory, ${USERS.toLocaleString('en')} users`);
    const used = heapBytes() - before;
    const sample = await store.get(impu(0));
    line(
      'memory: stored record size (JSON text)',
      `${JSON.stringify(sample).length} bytes, User-Data ${sample?.userData.length} bytes`,
    );
    line('memory: heap per registered user', `${Math.round(used / USERS).toLocaleString('en')} bytes`);
    let start = Date.now();
    await store.flush();
    line(
      'memory: snapshot write (100k records, fsync)',
      `${Date.now() - start} ms, ${(statSync(path).size / 1e6).toFixed(1)} MB`,
    );
    start = Date.now();
    const t = process.hrtime.bigint();
    let due = 0;
    for (let k = 0; k < 1000; k++) due = (await store.expiring(Date.now())).length;
    line(
      'memory: expiring(now) with nothing due',
      `${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(3)} µs/call (${due} due)`,
    );
    await store.close();
    start = Date.now();
    const again = await MemoryRegistrationStore.open({ snapshotPath: path });
    line(
      'memory: snapshot load at open',
      `${Date.now() - start} ms, ${await again.countRegistered()} registered`,
    );
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function redis(): Promise<void> {
  if (spawnSync('redis-server', ['--version']).error) {
    console.log('redis: skipped (redis-server not installed)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ims-bench-redis-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  try {
    let store: RedisRegistrationStore | undefined;
    for (let i = 0; i < 100 && !store; i++) {
      store = await RedisRegistrationStore.open({ url: `redis://127.0.0.1:${port}/0` }).catch(
        () => undefined,
      );
      if (!store) await new Promise((r) => setTimeout(r, 50));
    }
    if (!store) throw new Error('redis-server did not start');
    const info = (): number =>
      Number(
        /used_memory:(\d+)/.exec(
          spawnSync('redis-cli', ['-p', String(port), 'INFO', 'memory'], { encoding: 'utf8' }).stdout,
        )?.[1],
      );
    const before = info();
    await updates(
      store,
      REDIS_USERS,
      CONCURRENCY,
      `redis, ${REDIS_USERS.toLocaleString('en')} users, ${CONCURRENCY} in flight`,
    );
    line(
      'redis: server memory per registered user',
      `${Math.round((info() - before) / REDIS_USERS).toLocaleString('en')} bytes`,
    );
    await store.close();
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await memory();
await redis();
