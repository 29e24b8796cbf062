/**
 * A real HSS (temp SQLite, Diameter port 0) and our S-CSCF connected to it over Diameter, with
 * short registrar limits and SIP timers so the suites stay fast. Subscribers are provisioned
 * through the HSS store; each test uses names of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../../../src/config/load.ts';
import { hssConfigSchema } from '../../../../src/functions/hss/config.ts';
import { type Hss, startHss } from '../../../../src/functions/hss/index.ts';
import type { NewSubscription } from '../../../../src/functions/hss/model.ts';
import {
  newSubscription,
  type SubscriberOptions,
} from '../../../../src/functions/hss/subscriber-defaults.ts';
import {
  type Scscf,
  type ScscfConfig,
  scscfConfigSchema,
  startScscf,
} from '../../../../src/functions/scscf/index.ts';
import { type Logger, silentLogger } from '../../../../src/log/logger.ts';
import { freePort } from '../../../interop/helpers/free-port.ts';

export const HSS_HOST = 'hss.ims.test';
export const SCSCF_HOST = 'scscf.ims.test';
export const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
export const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

export interface ScscfEnv {
  hss: Hss;
  scscf: Scscf;
  config: ScscfConfig;
  /** The S-CSCF's SIP port (UDP and TCP). */
  port: number;
  provision(subscription: NewSubscription): Promise<string>;
  /** Stops the S-CSCF, waits `downMs`, starts it again with the same configuration. */
  restartScscf(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startScscfEnv(
  registrar: Record<string, unknown> = {},
  logger: Logger = silentLogger,
  /** More of the S-CSCF configuration (e.g. `store`). */
  extra: Record<string, unknown> = {},
): Promise<ScscfEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-scscf-'));
  const hss = await startHss(
    validateConfig(hssConfigSchema, {
      diameter: {
        originHost: HSS_HOST,
        listen: { port: 0 },
        requestTimeoutMs: 2000,
        acceptUnknownPeers: true,
      },
      store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
    }),
    silentLogger,
  );
  const port = await freePort();
  const config = validateConfig(scscfConfigSchema, {
    sip: {
      host: '127.0.0.1',
      port,
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port },
        { protocol: 'tcp', host: '127.0.0.1', port },
      ],
      timers: { T1: 100 },
    },
    diameter: {
      originHost: SCSCF_HOST,
      peers: [{ host: HSS_HOST, address: '127.0.0.1', port: hss.port }],
      requestTimeoutMs: 2000,
    },
    serverName: `sip:127.0.0.1:${port}`,
    registrar: { minExpires: 1, sweepIntervalMs: 100, thirdPartyTimeoutMs: 1500, ...registrar },
    ...extra,
  });
  const start = async () => {
    const started = await startScscf(config, logger);
    await started.diameter.waitForPeer(HSS_HOST);
    return started;
  };
  const env: ScscfEnv = {
    hss,
    scscf: await start(),
    config,
    port,
    async provision(subscription) {
      return (await hss.store.createSubscription(subscription)).id;
    },
    async restartScscf(downMs = 0) {
      await env.scscf.stop();
      await new Promise((r) => setTimeout(r, downMs));
      env.scscf = await start();
    },
    async stop() {
      await env.scscf.stop();
      await hss.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** A digest-only subscriber sip:<name>@ims.test, password `pw-<name>`. */
export function digestUser(name: string, options: Partial<SubscriberOptions> = {}): NewSubscription {
  return newSubscription({ impu: `sip:${name}@ims.test`, password: `pw-${name}`, ...options });
}

/** An AKA-only subscriber sip:<name>@ims.test with the test K/OPc. */
export function akaUser(name: string, options: Partial<SubscriberOptions> = {}): NewSubscription {
  return newSubscription({ impu: `sip:${name}@ims.test`, k: K, opc: OPC, ...options });
}
