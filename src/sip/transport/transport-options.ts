import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../../log/logger.ts';

const protocolSchema = z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']);
const hostSchema = z.string().min(1, 'must be a host name or IP address');

const listenSchema = z
  .object({
    protocol: protocolSchema,
    /** Address to bind: an IP address (IPv6 without brackets), '0.0.0.0' or '::' for all. */
    host: z.string().refine((h) => isIP(h) !== 0, 'must be an IP address'),
    /** 0 lets the system choose; read it back with listening(). */
    port: z.number().int().min(0).max(65535),
    /** What to put in our Via sent-by (and Record-Route) when it differs from the bound address. */
    advertise: z
      .object({ host: hostSchema, port: z.number().int().min(1).max(65535) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((l) => l.advertise !== undefined || (l.host !== '0.0.0.0' && l.host !== '::'), {
    message: 'a wildcard listen address needs an advertise address (what peers reach us at)',
  });

/** PEM text (starts with "-----BEGIN") or the path of a PEM file. */
const pemSchema = z.string().min(1);

const tlsSchema = z
  .object({
    cert: pemSchema,
    key: pemSchema,
    /** Trusted CAs for certificates of peers; Node's default list when absent. */
    ca: z.union([pemSchema, z.array(pemSchema)]).optional(),
    /** Verify the certificate of servers we connect to (and of clients when requestCert). */
    rejectUnauthorized: z.boolean().default(true),
    /** Ask clients for a certificate (mutual TLS between network elements, RFC 5923 §5). */
    requestCert: z.boolean().default(false),
  })
  .strict();

const limitsSchema = z
  .object({
    /** Largest SIP message accepted or sent, headers and body (RFC 3261 §18.1.1 allows 65,535). */
    maxMessageSize: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(65535),
    /**
     * Largest header section accepted (start line and header fields, without the body): a
     * request over it is answered 513 (RFC 3261 §21.5.14). Real ones take a few kB; tens of kB
     * of header fields are an attack on the parser and on what a proxy copies downstream.
     */
    maxHeaderSize: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(16384),
    /** A connection without traffic (CRLF keep-alives count) for this long is closed. */
    idleTimeoutMs: z.number().int().min(100).default(600_000),
    /** Giving up on a TCP/TLS/WS connection attempt (handshakes included). */
    connectTimeoutMs: z.number().int().min(100).default(5_000),
    /**
     * UDP socket receive buffer (SO_RCVBUF) in bytes: bursts arriving during a GC pause queue
     * here instead of being dropped by the kernel. Linux caps it at net.core.rmem_max.
     */
    udpReceiveBufferBytes: z
      .number()
      .int()
      .min(65536)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    /** RFC 3261 §18.1.1: requests larger than this go over TCP instead of UDP. */
    udpMtuThreshold: z.number().int().min(200).default(1300),
  })
  .strict();

export const transportOptionsSchema = z
  .object({
    listen: z.array(listenSchema).min(1, 'at least one listen address'),
    tls: tlsSchema.optional(),
    limits: limitsSchema.default(limitsSchema.parse({})),
    /**
     * RFC 5923 `alias`: which connections are reused for requests towards their Via sent-by.
     * 'authenticated': TLS with a verified client certificate only (RFC 5923 §5);
     * 'always': TCP and unauthenticated TLS too; 'never'.
     */
    acceptAlias: z.enum(['authenticated', 'always', 'never']).default('authenticated'),
  })
  .strict()
  .refine((o) => o.tls !== undefined || !o.listen.some((l) => l.protocol === 'tls' || l.protocol === 'wss'), {
    message: 'tls and wss listeners need tls.cert and tls.key',
    path: ['tls'],
  });

/** Options as written in a config file (defaults not applied yet). */
export type TransportOptionsInput = z.input<typeof transportOptionsSchema> & { logger?: Logger };

/** Validated options: defaults applied, TLS material loaded as PEM, frozen. */
export interface TransportOptions {
  readonly listen: readonly ListenEntry[];
  readonly tls?: TlsMaterial;
  readonly limits: Readonly<z.output<typeof limitsSchema>>;
  readonly acceptAlias: 'authenticated' | 'always' | 'never';
}

export type ListenEntry = Readonly<z.output<typeof listenSchema>>;

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string[];
  readonly rejectUnauthorized: boolean;
  readonly requestCert: boolean;
}

/** The options of a TLS or HTTPS server (TLS and WSS listeners) from our TLS material. */
export function tlsServerOptions(tls: TlsMaterial) {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.requestCert,
    // A client certificate is checked only when one is asked for.
    rejectUnauthorized: tls.requestCert && tls.rejectUnauthorized,
  };
}

function loadPem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/** Validates the options (throws a ZodError naming each bad field), reads PEM files, freezes. */
export function parseTransportOptions(input: Omit<TransportOptionsInput, 'logger'>): TransportOptions {
  const o = transportOptionsSchema.parse(input);
  const tls = o.tls && {
    cert: loadPem(o.tls.cert),
    key: loadPem(o.tls.key),
    ca: o.tls.ca === undefined ? undefined : (Array.isArray(o.tls.ca) ? o.tls.ca : [o.tls.ca]).map(loadPem),
    rejectUnauthorized: o.tls.rejectUnauthorized,
    requestCert: o.tls.requestCert,
  };
  return Object.freeze({
    listen: Object.freeze(o.listen.map((l) => Object.freeze(l))),
    tls: tls && Object.freeze(tls),
    limits: Object.freeze(o.limits),
    acceptAlias: o.acceptAlias,
  });
}
