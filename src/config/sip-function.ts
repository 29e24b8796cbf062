/**
 * The `sip` and `diameter` sections shared by the SIP network functions' configs (P-, I-,
 * S-CSCF, AS, BGCF, ...): listeners, TLS, limits, timers and the static host table; the
 * Diameter client identity and its peers (the HSS by default).
 */
import { z } from 'zod';
import { resolverOptionsSchema } from '../sip/dns/resolver-options.ts';
import { transportOptionsSchema } from '../sip/transport/transport-options.ts';
import { hostSchema } from './common.ts';
import { DEMO, DEMO_ADDRESS, DEMO_DOMAIN, demoHosts } from './demo-topology.ts';

const protocolSchema = z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']);

/** Extra default listeners at fixed ports (the P-CSCF's tls, ws, wss for UEs). */
export type ExtraListener = { protocol: 'tls' | 'ws' | 'wss'; port: number };

/**
 * `sip:` section. Without a `listen` list it listens on udp+tcp at `port` (the port of the
 * function's own URIs, so moving one moves the other) on 127.0.0.1, plus `extra`.
 */
export function sipSectionSchema(defaults: { host: string; port: number }, extra: ExtraListener[] = []) {
  return z.preprocess((raw) => {
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || 'listen' in raw)) return raw;
    const section = (raw ?? {}) as { port?: unknown };
    const port = typeof section.port === 'number' ? section.port : defaults.port;
    return {
      ...section,
      listen: [
        { protocol: 'udp', host: DEMO_ADDRESS, port },
        { protocol: 'tcp', host: DEMO_ADDRESS, port },
        ...extra.map((l) => ({ ...l, host: DEMO_ADDRESS })),
      ],
    };
  }, sipSectionObject(defaults));
}

function sipSectionObject(defaults: { host: string; port: number }) {
  return z
    .object({
      /** This function's SIP URI host (Record-Route, Path, Service-Route...), e.g. scscf.ims.test. */
      host: hostSchema.default(defaults.host),
      /** Port in this function's own URIs. */
      port: z.number().int().min(1).max(65535).default(defaults.port),
      listen: transportOptionsSchema.shape.listen,
      tls: transportOptionsSchema.shape.tls,
      limits: transportOptionsSchema.shape.limits,
      acceptAlias: transportOptionsSchema.shape.acceptAlias,
      /** Static host table (name → IP, or → targets); defaults to the demo names. */
      hosts: resolverOptionsSchema.shape.hosts.default(demoHosts()),
      /** DNS servers ("ip" or "ip:port") for names not in `hosts`; the system's when absent. */
      dnsServers: z.array(z.string().min(1)).optional(),
      /** Transports to use towards others, in order of preference (RFC 3263 §4.1). */
      protocols: z.array(protocolSchema).min(1).default(['udp', 'tcp', 'tls']),
      /** RFC 3261 Table 4 timers, ms. */
      timers: z
        .object({
          T1: z.number().int().min(10).max(60_000).optional(),
          T2: z.number().int().min(10).max(600_000).optional(),
          T4: z.number().int().min(10).max(600_000).optional(),
        })
        .strict()
        .default({}),
    })
    .strict();
}

export type SipSection = z.output<ReturnType<typeof sipSectionSchema>>;

const peerSchema = z
  .object({
    /** The peer's Diameter identity (Origin-Host). */
    host: hostSchema,
    /** Where to connect. */
    address: hostSchema.optional(),
    port: z.number().int().min(1).max(65535).optional(),
  })
  .strict();

/** `diameter:` section of a Diameter client function (a CSCF towards the HSS). */
export function diameterClientSchema(originHost: string) {
  return z
    .object({
      originHost: hostSchema.default(originHost),
      originRealm: hostSchema.default(DEMO_DOMAIN),
      /** Destination-Realm of Cx requests (the home network's). */
      destinationRealm: hostSchema.default(DEMO_DOMAIN),
      /**
       * Where to listen for peers that connect to us, if anywhere. None by default: the HSS's
       * requests (RTR, PPR) come over the connection we open to it (RFC 6733 §2.1).
       */
      listen: z
        .object({
          address: hostSchema.default(DEMO_ADDRESS),
          port: z.number().int().min(0).max(65535),
        })
        .strict()
        .optional(),
      peers: z
        .array(peerSchema)
        .min(1, 'at least one Diameter peer (the HSS, the SLF or a relay)')
        .default([{ host: DEMO.hss.host, address: DEMO_ADDRESS, port: DEMO.hss.port }]),
      requestTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
      /**
       * Addresses of Diameter identities named in Redirect-Host answers (an SLF sending us to
       * an HSS); names not listed are resolved by DNS. Defaults to the demo names.
       */
      hosts: z.record(hostSchema, hostSchema).default(demoHosts()),
    })
    .strict()
    .prefault({});
}

export type DiameterClientSection = z.output<ReturnType<typeof diameterClientSchema>>;
