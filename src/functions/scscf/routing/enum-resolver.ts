/**
 * ENUM (RFC 6116, TS 24.229 §5.4.3.2 step 10): turns an E.164 number into a SIP URI, from a
 * static table or from DNS NAPTR records (service E2U+sip, RFC 3764) under an apex such as
 * e164.arpa. Undefined when the number has no SIP URI: the S-CSCF then breaks out to the BGCF.
 */
import type { Logger } from '../../../log/logger.ts';
import { NodeDnsClient } from '../../../sip/dns/node-dns-client.ts';
import type { DnsClient, NaptrRecord } from '../../../sip/dns/types.ts';
import type { RoutingConfig } from './config.ts';

export class EnumResolver {
  private readonly dns: Pick<DnsClient, 'naptr'> | undefined;

  constructor(
    private readonly config: RoutingConfig['enum'],
    private readonly logger: Logger,
    /** For tests: the DNS client to use in 'dns' mode. */
    dns?: Pick<DnsClient, 'naptr'>,
  ) {
    if (config.mode === 'dns')
      this.dns = dns ?? new NodeDnsClient({ servers: config.servers, timeoutMs: config.timeoutMs, tries: 1 });
  }

  get enabled(): boolean {
    return this.config.mode !== 'none';
  }

  /** The SIP URI for `e164` ('+' and digits), or undefined. Never throws: a DNS failure means no result. */
  async lookup(e164: string): Promise<string | undefined> {
    const c = this.config;
    if (c.mode === 'none') return undefined;
    if (c.mode === 'static') return c.table[e164];
    try {
      const answer = await this.dns!.naptr(enumDomain(e164, c.suffix));
      return applyNaptr(answer.records, e164);
    } catch (err) {
      this.logger.info({ err: String(err), number: e164 }, 'ENUM query failed');
      return undefined;
    }
  }

  close(): void {
    if (this.dns instanceof NodeDnsClient) this.dns.close();
  }
}

/** RFC 6116 §2.4: the digits reversed, dot-separated, under the apex. */
export function enumDomain(e164: string, suffix: string): string {
  const digits = e164.replace(/[^0-9]/g, '');
  return `${[...digits].reverse().join('.')}.${suffix.replace(/^\.|\.$/g, '')}`;
}

/**
 * RFC 6116 §3.2, RFC 3402 §4: the terminal (flag "u") E2U+sip rules in order, then preference;
 * the first whose regular expression matches the number gives the URI.
 * DEVIATION: non-terminal rules (a replacement to follow) are not followed.
 */
export function applyNaptr(records: readonly NaptrRecord[], e164: string): string | undefined {
  const rules = records
    .filter((r) => r.flags.toLowerCase() === 'u' && isE2uSip(r.service))
    .sort((a, b) => a.order - b.order || a.preference - b.preference);
  for (const rule of rules) {
    const uri = rewrite(rule.regexp, e164);
    if (uri !== undefined && /^sips?:/i.test(uri)) return uri;
  }
  return undefined;
}

/** RFC 6116 §3.4.3: "E2U" then enumservices separated by '+', e.g. E2U+sip or E2U+voice:sip. */
function isE2uSip(service: string): boolean {
  const [head, ...types] = service.toLowerCase().split('+');
  return head === 'e2u' && types.some((t) => t === 'sip' || t.split(':').includes('sip'));
}

/** RFC 3402 §3.2 substitution expression: delim ERE delim replacement delim flags. */
function rewrite(expression: string, subject: string): string | undefined {
  const delim = expression.charAt(0);
  if (!delim || /[0-9\\i]/.test(delim)) return undefined;
  const parts = expression.slice(1).split(delim);
  if (parts.length !== 3) return undefined;
  const [pattern, replacement, flags] = parts as [string, string, string];
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags.includes('i') ? 'i' : '');
  } catch {
    return undefined;
  }
  const match = re.exec(subject);
  if (!match) return undefined;
  // Backreferences \1..\9 name the groups of the match.
  return replacement.replace(/\\([0-9])/g, (_, n: string) => match[Number(n)] ?? '');
}
