import { Resolver } from 'node:dns/promises';
import type { DnsAnswer, DnsClient, NaptrRecord, SrvRecord } from './types.ts';

/** NXDOMAIN and NODATA: the name is known not to have such records. */
const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA']);

export interface NodeDnsClientOptions {
  /** DNS servers as "ip" or "ip:port" ("[v6]:port"); the system's when absent. */
  servers?: string[];
  /** Per-try timeout of a query. */
  timeoutMs?: number;
  tries?: number;
}

/** DnsClient over node:dns (c-ares), with its own servers: no process-wide setting is touched. */
export class NodeDnsClient implements DnsClient {
  private readonly resolver: Resolver;

  constructor(options: NodeDnsClientOptions = {}) {
    this.resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
    if (options.servers?.length) this.resolver.setServers(options.servers);
  }

  naptr(name: string): Promise<DnsAnswer<NaptrRecord>> {
    // node:dns reports no TTL for NAPTR: the cache's default TTL applies.
    return negativeAware(this.resolver.resolveNaptr(name).then((records) => ({ records })));
  }

  srv(name: string): Promise<DnsAnswer<SrvRecord>> {
    // node:dns reports no TTL for SRV either.
    return negativeAware(this.resolver.resolveSrv(name).then((records) => ({ records })));
  }

  addresses(name: string, family: 4 | 6): Promise<DnsAnswer<string>> {
    const q =
      family === 4
        ? this.resolver.resolve4(name, { ttl: true })
        : this.resolver.resolve6(name, { ttl: true });
    return negativeAware(
      q.then((rs) => ({
        records: rs.map((r) => r.address),
        ttl: rs.length ? Math.min(...rs.map((r) => r.ttl)) : undefined,
      })),
    );
  }

  close(): void {
    this.resolver.cancel();
  }
}

async function negativeAware<T>(p: Promise<DnsAnswer<T>>): Promise<DnsAnswer<T>> {
  try {
    return await p;
  } catch (err) {
    if (NEGATIVE.has((err as NodeJS.ErrnoException).code ?? '')) return { records: [], negative: true };
    throw err;
  }
}
