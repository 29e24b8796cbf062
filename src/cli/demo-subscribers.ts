import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newSubscription } from '../functions/hss/subscriber-defaults.ts';
import type { SubscriberStore } from '../store/subscriber-store.ts';

/** A demo subscriber as printed at start-up: what a phone or SIPp needs to register. */
export interface DemoSubscriber {
  impu: string;
  impi: string;
  tel: string;
  password: string;
  k: string;
  opc: string;
  amf: string;
}

const NAMES = ['alice', 'bob', 'carol', 'dave'];
const FILE = 'demo-subscribers.json';

/**
 * On first start (an empty subscriber database) provisions alice, bob, carol and dave in
 * `domain` with a digest password and AKA keys (K, OPc) each, and keeps their secrets in
 * DATA/demo-subscribers.json (the HSS stores only HA1, not the password) so later starts can
 * print them again. Later starts with subscribers in the store provision nothing.
 */
export async function ensureDemoSubscribers(
  store: SubscriberStore,
  dataDir: string,
  domain: string,
): Promise<DemoSubscriber[]> {
  const file = join(dataDir, FILE);
  if ((await store.countSubscriptions()) > 0) {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoSubscriber[]) : [];
  }
  const demo: DemoSubscriber[] = NAMES.map((name, i) => ({
    impu: `sip:${name}@${domain}`,
    impi: `${name}@${domain}`,
    tel: `+1555000${1001 + i}`,
    password: `${name}-${randomBytes(3).toString('hex')}`,
    k: randomBytes(16).toString('hex'),
    opc: randomBytes(16).toString('hex'),
    amf: '8000',
  }));
  for (const d of demo) {
    await store.createSubscription(
      newSubscription({
        impu: d.impu,
        impi: d.impi,
        password: d.password,
        k: d.k,
        opc: d.opc,
        amf: d.amf,
        tel: d.tel,
      }),
    );
  }
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}
