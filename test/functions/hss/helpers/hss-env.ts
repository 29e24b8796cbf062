/**
 * An HSS on 127.0.0.1 (port 0) over a fresh store of each backend, and a client node that
 * plays the CSCFs and the AS over real Diameter connections. SQLite always; PostgreSQL when
 * IMS_TEST_PG_URL is set (.ci/run sets it), and then an unreachable server fails the suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { validateConfig } from '../../../../src/config/load.ts';
import { CxApplication } from '../../../../src/diameter/apps/cx.ts';
import { ShApplication } from '../../../../src/diameter/apps/sh.ts';
import { DiameterNode } from '../../../../src/diameter/node.ts';
import { type HssConfig, hssConfigSchema } from '../../../../src/functions/hss/config.ts';
import { type Hss, startHss } from '../../../../src/functions/hss/index.ts';
import { silentLogger } from '../../../../src/log/logger.ts';
import type { SubscriberStore } from '../../../../src/store/subscriber-store.ts';
import { pgHarness } from '../../../store/helpers/harness.ts';

export const HSS_HOST = 'hss.ims.test';
export const CLIENT_HOST = 'scscf1.ims.test';
export const SCSCF_NAME = 'sip:scscf1.ims.test:6060';

/** Short timers for loopback (RFC values are tens of seconds). */
const FAST = { twInit: 200, tcMin: 50, tc: 400, peerTimeout: 2000, requestTimeout: 1500 } as const;

export interface Backend {
  name: string;
  /** A fresh, empty database: the `store` section of an HSS configuration. */
  fresh(): Promise<{ store: HssConfig['store']; dispose(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'ims-hss-fn-'));
    return {
      store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
      async dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

function postgres(url: string): Backend {
  return {
    name: 'PostgreSQL',
    async fresh() {
      const fresh = await pgHarness(url).fresh();
      await fresh.store.close();
      if (fresh.config.backend !== 'pg') throw new Error('pg harness gave another backend');
      return {
        store: { backend: 'pg', url: fresh.config.url, maxConnections: 4 },
        dispose: () => fresh.dispose(),
      };
    },
  };
}

/** The backends every suite runs against. */
export function backends(): Backend[] {
  const url = process.env.IMS_TEST_PG_URL;
  return url === undefined || url === '' ? [sqlite] : [sqlite, postgres(url)];
}

export interface HssEnv {
  hss: Hss;
  store: SubscriberStore;
  /** The client node: an I-CSCF/S-CSCF on Cx, an AS on Sh. */
  client: DiameterNode;
  cx: CxApplication;
  sh: ShApplication;
  config: HssConfig;
}

/** Starts an HSS (configuration `overrides` merged per section) and a client connected to it. */
export async function startEnv(
  backend: Backend,
  overrides: Record<string, Record<string, unknown>> = {},
  clientHost = CLIENT_HOST,
): Promise<HssEnv & { stop(): Promise<void> }> {
  const db = await backend.fresh();
  const config = validateConfig(hssConfigSchema, {
    ...overrides,
    diameter: {
      originHost: HSS_HOST,
      listen: { port: 0 },
      requestTimeoutMs: 1500,
      // Clients of many names connect (a lab HSS).
      acceptUnknownPeers: true,
      ...overrides.diameter,
    },
    store: db.store,
  });
  const hss = await startHss(config, silentLogger);
  const client = new DiameterNode({
    originHost: clientHost,
    originRealm: 'ims.test',
    peers: [{ host: HSS_HOST, address: '127.0.0.1', port: hss.port }],
    ...FAST,
  });
  const cx = new CxApplication(client);
  const sh = new ShApplication(client);
  await client.start();
  await client.waitForPeer(HSS_HOST);
  return {
    hss,
    store: hss.store,
    client,
    cx,
    sh,
    config,
    async stop() {
      await client.close();
      await hss.stop();
      await db.dispose();
    },
  };
}

/**
 * One environment per `describe` of a backend: started before its tests, stopped after.
 * Tests provision subscribers with names of their own, so they do not disturb each other.
 */
export function useEnv(backend: Backend, overrides?: Record<string, Record<string, unknown>>): HssEnv {
  const env = {} as HssEnv & { stop(): Promise<void> };
  before(async () => {
    Object.assign(env, await startEnv(backend, overrides));
  });
  after(async () => {
    await env.stop?.();
  });
  return env;
}

/** Another client of the same HSS, with its own Diameter identity (a second AS, say). */
export async function connectClient(
  env: HssEnv,
  originHost: string,
): Promise<{ node: DiameterNode; sh: ShApplication; cx: CxApplication }> {
  const node = new DiameterNode({
    originHost,
    originRealm: 'ims.test',
    peers: [{ host: HSS_HOST, address: '127.0.0.1', port: env.hss.port }],
    ...FAST,
  });
  const cx = new CxApplication(node);
  const sh = new ShApplication(node);
  await node.start();
  await node.waitForPeer(HSS_HOST);
  return { node, sh, cx };
}
