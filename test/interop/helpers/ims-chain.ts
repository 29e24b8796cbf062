/**
 * The whole CSCF chain in this process for interop tests: a real HSS (temp SQLite, no REST
 * API), one or more S-CSCFs, an I-CSCF and a P-CSCF, each on free ports, their URIs carrying
 * those ports (sip.port, serverName, routing.icscf, the I-CSCF's scscfs, the P-CSCF's icscf),
 * every function resolving the demo names through its static host table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoHosts } from '../../../src/config/demo-topology.ts';
import { validateConfig } from '../../../src/config/load.ts';
import { hssConfigSchema } from '../../../src/functions/hss/config.ts';
import { type Hss, startHss } from '../../../src/functions/hss/index.ts';
import { newSubscription } from '../../../src/functions/hss/subscriber-defaults.ts';
import { type Icscf, icscfConfigSchema, startIcscf } from '../../../src/functions/icscf/index.ts';
import { type Pcscf, pcscfConfigSchema, startPcscf } from '../../../src/functions/pcscf/index.ts';
import { type Scscf, scscfConfigSchema, startScscf } from '../../../src/functions/scscf/index.ts';
import { createLogger, type Logger, silentLogger } from '../../../src/log/logger.ts';
import { freePort } from './free-port.ts';

export const CHAIN_DOMAIN = 'ims.test';

/** A subscriber to provision: digest password and/or AKA keys (hex). */
export interface ChainSubscriber {
  /** User part: the IMPU is sip:<user>@ims.test, the IMPI <user>@ims.test. */
  user: string;
  password?: string;
  k?: string;
  op?: string;
  amf?: string;
  /** A tel URI number (+E.164) in the same implicit registration set. */
  tel?: string;
}

type Overrides = Record<string, unknown>;

export interface ImsChainOptions {
  subscribers?: ChainSubscriber[];
  /** How many S-CSCFs (the I-CSCF lists them all); default 1. */
  scscfCount?: number;
  /** Deep-merged into each function's config before validation. */
  hss?: Overrides;
  scscf?: Overrides;
  icscf?: Overrides;
  pcscf?: Overrides;
  /** Give the P-CSCF a WebSocket listener (RFC 7118) on a free port. */
  pcscfWs?: boolean;
  /** pino level for every function (default: silent; env CHAIN_LOG overrides). */
  logLevel?: string;
}

export interface ImsChainPorts {
  hss: number;
  /** UDP and TCP. */
  pcscf: number;
  pcscfWs?: number;
  icscf: number;
  scscfs: number[];
}

export interface ImsChain {
  readonly hss: Hss;
  readonly scscfs: Scscf[];
  /** The first S-CSCF. */
  readonly scscf: Scscf;
  readonly icscf: Icscf;
  readonly pcscf: Pcscf;
  readonly ports: ImsChainPorts;
  /** The S-CSCFs' host names, in order (scscf.ims.test, scscf2.ims.test, ...). */
  readonly scscfHosts: string[];
  provision(subscriber: ChainSubscriber): Promise<void>;
  stop(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Plain objects merged key by key; anything else (arrays too) replaced. */
export function deepMerge(base: Overrides, extra: Overrides | undefined): Overrides {
  if (!extra) return base;
  const out: Overrides = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

const listen = (port: number, ws?: number) => [
  { protocol: 'udp', host: '127.0.0.1', port },
  { protocol: 'tcp', host: '127.0.0.1', port },
  ...(ws !== undefined ? [{ protocol: 'ws', host: '127.0.0.1', port: ws }] : []),
];

export async function startImsChain(options: ImsChainOptions = {}): Promise<ImsChain> {
  const level = process.env.CHAIN_LOG ?? options.logLevel;
  const logger = (name: string): Logger => (level ? createLogger({ name, level }) : silentLogger);
  const scscfCount = options.scscfCount ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'ims-chain-'));
  const taken: number[] = [];
  const port = async () => {
    const p = await freePort('127.0.0.1', taken);
    taken.push(p);
    return p;
  };
  const pcscfPort = await port();
  const pcscfWs = options.pcscfWs ? await port() : undefined;
  const icscfPort = await port();
  const scscfPorts: number[] = [];
  for (let i = 0; i < scscfCount; i++) scscfPorts.push(await port());
  const scscfHosts = scscfPorts.map((_, i) => (i === 0 ? 'scscf.ims.test' : `scscf${i + 1}.ims.test`));
  const hosts: Record<string, string> = { ...demoHosts() };
  for (const h of scscfHosts) hosts[h] = '127.0.0.1';

  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const f of started.reverse()) await f.stop().catch(() => undefined);
    started.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const hss = await startHss(
      validateConfig(
        hssConfigSchema,
        deepMerge(
          {
            diameter: {
              originHost: 'hss.ims.test',
              listen: { port: 0 },
              // The CSCFs of this chain, the only peers the HSS accepts.
              peers: [...scscfHosts, 'icscf.ims.test'].map((host) => ({ host })),
            },
            store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
            api: { enabled: false },
          },
          options.hss,
        ),
      ),
      logger('hss'),
    );
    started.push(hss);
    const diameter = (originHost: string) => ({
      originHost,
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.port }],
      requestTimeoutMs: 3000,
    });
    const icscfUri = `sip:icscf.ims.test:${icscfPort}`;

    const scscfs: Scscf[] = [];
    for (const [i, p] of scscfPorts.entries()) {
      const host = scscfHosts[i]!;
      const scscf = await startScscf(
        validateConfig(
          scscfConfigSchema,
          deepMerge(
            {
              sip: { host, port: p, listen: listen(p), hosts },
              diameter: diameter(host),
              serverName: `sip:${host}:${p}`,
              routing: { icscf: icscfUri },
            },
            options.scscf,
          ),
        ),
        logger(host.split('.')[0]!),
      );
      started.push(scscf);
      scscfs.push(scscf);
      await scscf.diameter.waitForPeer('hss.ims.test');
    }

    const icscf = await startIcscf(
      validateConfig(
        icscfConfigSchema,
        deepMerge(
          {
            sip: { port: icscfPort, listen: listen(icscfPort), hosts },
            diameter: diameter('icscf.ims.test'),
            scscfs: scscfPorts.map((p, i) => ({ uri: `sip:${scscfHosts[i]}:${p}` })),
          },
          options.icscf,
        ),
      ),
      logger('icscf'),
    );
    started.push(icscf);
    await icscf.diameter!.waitForPeer('hss.ims.test');

    const pcscf = await startPcscf(
      validateConfig(
        pcscfConfigSchema,
        deepMerge(
          {
            sip: { port: pcscfPort, listen: listen(pcscfPort, pcscfWs), hosts },
            icscf: icscfUri,
          },
          options.pcscf,
        ),
      ),
      logger('pcscf'),
    );
    started.push(pcscf);

    const provision = async (s: ChainSubscriber) => {
      await hss.store.createSubscription(
        newSubscription({
          impu: `sip:${s.user}@${CHAIN_DOMAIN}`,
          ...(s.password !== undefined ? { password: s.password } : {}),
          ...(s.k !== undefined ? { k: s.k } : {}),
          ...(s.op !== undefined ? { op: s.op } : {}),
          ...(s.amf !== undefined ? { amf: s.amf } : {}),
          ...(s.tel !== undefined ? { tel: s.tel } : {}),
        }),
      );
    };
    for (const s of options.subscribers ?? []) await provision(s);

    return {
      hss,
      scscfs,
      scscf: scscfs[0]!,
      icscf,
      pcscf,
      ports: {
        hss: hss.port,
        pcscf: pcscfPort,
        ...(pcscfWs !== undefined ? { pcscfWs } : {}),
        icscf: icscfPort,
        scscfs: scscfPorts,
      },
      scscfHosts,
      provision,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
