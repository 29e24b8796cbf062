import { isIP } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../../log/logger.ts';
import type { DnsClient, StaticHostTable } from './types.ts';

const protocolSchema = z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']);

const staticTargetSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    protocol: protocolSchema.optional(),
  })
  .strict();

const ipSchema = z.string().refine((s) => isIP(s) !== 0, 'must be an IP address');

export const resolverOptionsSchema = z
  .object({
    /** Static host table, consulted before any DNS query (the demo needs no DNS server). */
    hosts: z
      .record(
        z.string().min(1),
        z.union([ipSchema, z.array(ipSchema).min(1), z.array(staticTargetSchema).min(1)]),
      )
      .default({}),
    /** DNS servers as "ip" or "ip:port"; the system's (resolv.conf) when absent. */
    servers: z.array(z.string().min(1)).optional(),
    timeoutMs: z.number().int().min(10).default(2000),
    tries: z.number().int().min(1).max(10).default(2),
    /** Transports we can use, in order of preference when DNS leaves the choice (RFC 3263 §4.1). */
    protocols: z.array(protocolSchema).min(1).default(['udp', 'tcp', 'tls']),
    /** Address families, in order: [4, 6] puts IPv4 targets first. */
    families: z
      .array(z.union([z.literal(4), z.literal(6)]))
      .min(1)
      .default([4, 6]),
    /** TTL (s) for answers without one: node:dns gives no TTL for SRV and NAPTR records. */
    defaultTtlSeconds: z.number().min(0).default(300),
    /** TTL (s) for NXDOMAIN / empty answers. */
    negativeTtlSeconds: z.number().min(0).default(30),
    maxTtlSeconds: z.number().min(0).default(86400),
  })
  .strict();

export type ResolverOptionsInput = z.input<typeof resolverOptionsSchema> & {
  hosts?: StaticHostTable;
  logger?: Logger;
  /** Clock for TTLs (ms), Date.now by default. */
  now?: () => number;
  /** For RFC 2782 weighted ordering, Math.random by default. */
  random?: () => number;
  /** Replaces node:dns (tests, or another DNS library). */
  client?: DnsClient;
};

export type ResolverOptions = Readonly<z.output<typeof resolverOptionsSchema>>;
