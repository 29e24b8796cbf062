import type { TransportProtocol } from '../transport/types.ts';

/**
 * One next hop found by RFC 3263 §4: where to send and over what. Fits a transport
 * Destination as is (`serverName` is the SIP domain a TLS certificate must match, RFC 5922).
 */
export interface ResolvedTarget {
  protocol: TransportProtocol;
  /** An IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** The domain that was resolved, for TLS server identity; absent for numeric URIs. */
  serverName?: string;
}

/** RFC 3403 NAPTR record as RFC 3263 §4.1 uses it. */
export interface NaptrRecord {
  order: number;
  preference: number;
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
}

/** RFC 2782 SRV record. */
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  name: string;
}

/** An answer: the records and, when the DNS API reports it, their TTL in seconds. */
export interface DnsAnswer<T> {
  records: T[];
  ttl?: number;
  /** NXDOMAIN or no records of the type: cached for the negative TTL. */
  negative?: boolean;
}

/**
 * The DNS queries the resolver makes. Throws on failures that say nothing about the name
 * (timeout, SERVFAIL, refused): those are not cached.
 */
export interface DnsClient {
  naptr(name: string): Promise<DnsAnswer<NaptrRecord>>;
  srv(name: string): Promise<DnsAnswer<SrvRecord>>;
  /** A (family 4) or AAAA (family 6) addresses. */
  addresses(name: string, family: 4 | 6): Promise<DnsAnswer<string>>;
  /** Cancels queries in flight. */
  close?(): void;
}

/** A fixed next hop of the static host table; missing port and protocol come from the URI. */
export interface StaticTarget {
  host: string;
  port?: number;
  protocol?: TransportProtocol;
}

/**
 * The static host table: a name maps to addresses (like A/AAAA records, and the name then
 * has no NAPTR or SRV), or to next hops (like NAPTR+SRV, for URIs without a port).
 */
export type StaticHostTable = Record<string, string | string[] | StaticTarget[]>;
