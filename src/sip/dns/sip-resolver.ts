import { isIP } from 'node:net';
import { type Logger, silentLogger } from '../../log/logger.ts';
import { parseSipUri, SipUri } from '../message/index.ts';
import type { TransportProtocol } from '../transport/types.ts';
import { DnsCache } from './dns-cache.ts';
import { NodeDnsClient } from './node-dns-client.ts';
import { ResolveError } from './resolve-error.ts';
import {
  type ResolverOptions,
  type ResolverOptionsInput,
  resolverOptionsSchema,
} from './resolver-options.ts';
import { orderSrv } from './srv-order.ts';
import type { DnsAnswer, DnsClient, ResolvedTarget, SrvRecord, StaticTarget } from './types.ts';

/** RFC 3263 §4.1 and the IANA registry (RFC 7118 §10 adds WS): NAPTR services to transports. */
const NAPTR_SERVICES: Record<string, TransportProtocol> = {
  'SIP+D2U': 'udp',
  'SIP+D2T': 'tcp',
  'SIPS+D2T': 'tls',
  'SIP+D2W': 'ws',
  'SIPS+D2W': 'wss',
};

/** RFC 3263 §4.1: the SRV service label of each transport. */
const SRV_PREFIX: Record<TransportProtocol, string> = {
  udp: '_sip._udp',
  tcp: '_sip._tcp',
  tls: '_sips._tcp',
  ws: '_sip._ws',
  wss: '_sips._ws',
};

const SECURE = new Set<TransportProtocol>(['tls', 'wss']);

/** RFC 3261 §19.1.2: 5061 for TLS (and WSS), 5060 otherwise. */
function defaultPort(protocol: TransportProtocol): number {
  return SECURE.has(protocol) ? 5061 : 5060;
}

function normalizeName(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/**
 * Locating SIP servers, RFC 3263 §4: from a SIP or SIPS URI to an ordered failover list of
 * {protocol, IP, port}. The static host table answers first; then numeric hosts, explicit
 * ports (A/AAAA), transport parameters (SRV), and NAPTR → SRV → A/AAAA, with answers cached
 * for their TTL.
 */
export class SipResolver {
  readonly options: ResolverOptions;
  private readonly client: DnsClient;
  private readonly cache: DnsCache;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly hosts = new Map<string, string[] | StaticTarget[]>();

  constructor(input: ResolverOptionsInput = {}) {
    const { logger, now, random, client, ...rest } = input;
    this.options = Object.freeze(resolverOptionsSchema.parse(rest));
    const o = this.options;
    this.client = client ?? new NodeDnsClient({ servers: o.servers, timeoutMs: o.timeoutMs, tries: o.tries });
    this.cache = new DnsCache(
      { defaultTtl: o.defaultTtlSeconds, negativeTtl: o.negativeTtlSeconds, maxTtl: o.maxTtlSeconds },
      now,
    );
    this.random = random ?? Math.random;
    this.log = (logger ?? silentLogger).child({ component: 'sip-dns' });
    for (const [name, entry] of Object.entries(o.hosts)) {
      this.hosts.set(normalizeName(name), typeof entry === 'string' ? [entry] : entry);
    }
  }

  /** The ordered targets for a URI; rejects with ResolveError. */
  async resolve(uri: SipUri | string): Promise<ResolvedTarget[]> {
    const u = typeof uri === 'string' ? parseUriOrThrow(uri) : uri;
    if (!(u instanceof SipUri))
      throw new ResolveError('UNSUPPORTED_URI', 'only sip: and sips: URIs are resolved');
    const secure = u.scheme === 'sips';
    // RFC 3263 §4: TARGET is maddr when present, else the host.
    const maddr = u.params.get('maddr');
    const target = normalizeName(maddr ?? u.host);
    const transportParam = u.params.get('transport');
    const chosen = transportParam ? this.protocolOf(transportParam, secure) : undefined;
    const port = u.port;
    const out = await this.targets(target, secure, chosen, port);
    if (out.length === 0) throw new ResolveError('NOT_FOUND', `no SIP server found for ${u.toString()}`);
    const serverName = isIP(target) ? undefined : target;
    const seen = new Set<string>();
    return out
      .filter((t) => {
        const k = `${t.protocol} ${t.host} ${t.port}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .map((t) => (serverName ? { ...t, serverName } : t));
  }

  /** Addresses of a name (static table first, then A/AAAA in the configured family order). */
  async resolveAddresses(name: string): Promise<string[]> {
    const n = normalizeName(name);
    if (isIP(n)) return [n];
    const entry = this.hosts.get(n);
    if (entry && typeof entry[0] === 'string') return entry as string[];
    const answers = await Promise.all(
      this.options.families.map((f) => this.query(`A${f}`, n, () => this.client.addresses(n, f))),
    );
    return answers.flatMap((a) => a.records);
  }

  close(): void {
    this.client.close?.();
    this.cache.clear();
  }

  private async targets(
    target: string,
    secure: boolean,
    chosen: TransportProtocol | undefined,
    port: number | undefined,
  ): Promise<ResolvedTarget[]> {
    // RFC 3263 §4.1: with no transport parameter, UDP for sip and TCP (TLS) for sips.
    const fallback: TransportProtocol = chosen ?? (secure ? 'tls' : this.usable('udp') ? 'udp' : 'tcp');
    // §4.1, §4.2: a numeric TARGET is used as is, at the URI's port or the default one.
    if (isIP(target)) return [{ protocol: fallback, host: target, port: port ?? defaultPort(fallback) }];
    const entry = this.hosts.get(target);
    if (entry && typeof entry[0] !== 'string' && port === undefined) {
      return this.staticTargets(entry as StaticTarget[], secure, chosen);
    }
    // §4.2: a port in the URI means an A/AAAA lookup of the name, no SRV.
    if (port !== undefined) return this.atAddresses(target, fallback, port);
    // §4.2: a transport parameter means an SRV query for that transport, then A/AAAA.
    if (chosen) {
      const viaSrv = await this.srvTargets(chosen, `${SRV_PREFIX[chosen]}.${target}`);
      return viaSrv.length ? viaSrv : this.atAddresses(target, chosen, defaultPort(chosen));
    }
    // A name→address entry of the static table stands for A/AAAA records without NAPTR/SRV.
    if (entry) return this.atAddresses(target, fallback, defaultPort(fallback));
    const viaNaptr = await this.naptrTargets(target, secure);
    if (viaNaptr.length) return viaNaptr;
    // §4.1: no NAPTR: SRV queries for each transport we support, in our order of preference.
    const srvs = await Promise.all(
      this.options.protocols
        .filter((p) => !secure || SECURE.has(p))
        .filter((p) => p !== 'ws' && p !== 'wss')
        .map((p) => this.srvTargets(p, `${SRV_PREFIX[p]}.${target}`)),
    );
    const viaSrv = srvs.flat();
    if (viaSrv.length) return viaSrv;
    // §4.2: no SRV either: A/AAAA at the default port of the transport.
    return this.atAddresses(target, fallback, defaultPort(fallback));
  }

  /** RFC 3263 §4.1: NAPTR records with flag "s", services we support, sorted, each to SRV. */
  private async naptrTargets(target: string, secure: boolean): Promise<ResolvedTarget[]> {
    const answer = await this.query('NAPTR', target, () => this.client.naptr(target));
    const usable = answer.records
      .filter((r) => r.flags.toLowerCase() === 's')
      .map((r) => ({ r, protocol: NAPTR_SERVICES[r.service.toUpperCase()] }))
      // A sips URI needs SIPS services; a sip URI may use them too (§4.1, when TLS is supported).
      .filter((x): x is typeof x & { protocol: TransportProtocol } => x.protocol !== undefined)
      .filter((x) => this.usable(x.protocol) && (!secure || SECURE.has(x.protocol)))
      .sort((a, b) => a.r.order - b.r.order || a.r.preference - b.r.preference);
    const out: ResolvedTarget[] = [];
    // The whole list, in order: later records are the failover of earlier ones (§4.3).
    for (const { r, protocol } of usable)
      out.push(...(await this.srvTargets(protocol, normalizeName(r.replacement))));
    return out;
  }

  private async srvTargets(protocol: TransportProtocol, name: string): Promise<ResolvedTarget[]> {
    const answer = await this.query('SRV', name, () => this.client.srv(name));
    // RFC 2782: a single record with target "." means the service is not offered there.
    const records = answer.records.filter((r: SrvRecord) => r.name !== '.' && r.name !== '');
    const out: ResolvedTarget[] = [];
    for (const r of orderSrv(records, this.random))
      out.push(...(await this.atAddresses(r.name, protocol, r.port)));
    return out;
  }

  private async atAddresses(
    name: string,
    protocol: TransportProtocol,
    port: number,
  ): Promise<ResolvedTarget[]> {
    const addresses = await this.resolveAddresses(name);
    return addresses.map((host) => ({ protocol, host, port }));
  }

  private async staticTargets(
    entries: StaticTarget[],
    secure: boolean,
    chosen: TransportProtocol | undefined,
  ): Promise<ResolvedTarget[]> {
    const out: ResolvedTarget[] = [];
    for (const e of entries) {
      const protocol = e.protocol ?? chosen ?? (secure ? 'tls' : 'udp');
      if ((chosen && protocol !== chosen) || (secure && !SECURE.has(protocol))) continue;
      out.push(...(await this.atAddresses(e.host, protocol, e.port ?? defaultPort(protocol))));
    }
    return out;
  }

  private usable(p: TransportProtocol): boolean {
    return this.options.protocols.includes(p);
  }

  /** The transport parameter (RFC 3261 §19.1.1) as a protocol; over sips, tcp means TLS. */
  private protocolOf(param: string, secure: boolean): TransportProtocol {
    const t = param.toLowerCase();
    let p: TransportProtocol | undefined;
    if (t === 'udp' && !secure) p = 'udp';
    else if (t === 'tcp' || t === 'tls') p = secure || t === 'tls' ? 'tls' : 'tcp';
    else if (t === 'ws' || t === 'wss') p = secure || t === 'wss' ? 'wss' : 'ws';
    if (!p || !this.usable(p))
      throw new ResolveError('UNSUPPORTED_TRANSPORT', `transport=${param} not usable`);
    return p;
  }

  /** One cached query; a failure that says nothing about the name counts as no records. */
  private async query<T>(
    type: string,
    name: string,
    run: () => Promise<DnsAnswer<T>>,
  ): Promise<DnsAnswer<T>> {
    try {
      return await this.cache.get(type, name, run);
    } catch (err) {
      this.log.debug({ type, name, err: (err as Error).message }, 'dns query failed');
      return { records: [] };
    }
  }
}

function parseUriOrThrow(text: string): SipUri {
  try {
    return parseSipUri(text);
  } catch (err) {
    throw new ResolveError('UNSUPPORTED_URI', `not a SIP URI: ${(err as Error).message}`);
  }
}
