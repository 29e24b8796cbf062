/**
 * The SLF as a Diameter redirect agent (RFC 6733 §6.1.7; TS 23.228 §5.8.1, TS 29.228 §6.4 for
 * Dx, the same for Dh): a Cx/Dx or Sh/Dh request names a user; the SLF answers 3006
 * DIAMETER_REDIRECT_INDICATION with the Redirect-Host of the HSS holding that user, and the
 * client sends the request there. A user no HSS holds: Experimental-Result
 * DIAMETER_ERROR_USER_UNKNOWN (TS 29.229 §6.2.2.1).
 */
import type { AvpValue, AvpValues, DiameterMessage } from '../../diameter/codec/message.ts';
import { formatDiameterUri } from '../../diameter/routing/diameter-uri.ts';
import { RedirectHostUsage } from '../../diameter/routing/redirect-cache.ts';
import type { RedirectDecision } from '../../diameter/routing/request-dispatcher.ts';
import type { SlfConfig } from './config.ts';
import { IdentityTable } from './identity-table.ts';

export interface HssTarget {
  name: string;
  /** The DiameterURI that goes in Redirect-Host. */
  uri: string;
}

/** The identity table of a configuration, rows leading to the HSSs' DiameterURIs. */
export function identityTable(config: SlfConfig): IdentityTable<HssTarget> {
  const targets = new Map<string, HssTarget>(
    Object.entries(config.hss).map(([name, h]) => [
      name,
      { name, uri: formatDiameterUri(h.host, h.port, h.tls) },
    ]),
  );
  const target = (name: string) => targets.get(name)!;
  const routes = config.routes.map((r) => ({ ...r, hss: target(r.hss) }));
  return new IdentityTable(routes, config.defaultHss === undefined ? undefined : target(config.defaultHss));
}

/**
 * The identities a request is about, most specific first: Public-Identity (Cx, TS 29.229
 * §6.3.2) or Wildcarded-Public-Identity, User-Identity (Sh, TS 29.329 §6.3.1: Public-Identity,
 * or MSISDN as a tel URI), then User-Name (the private identity).
 */
export function requestIdentities(avps: AvpValues): string[] {
  const out: string[] = [];
  const add = (v: AvpValue | AvpValue[] | undefined) => {
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && x !== '') out.push(x);
  };
  add(avps.publicIdentity as AvpValue | AvpValue[] | undefined);
  add(avps.wildcardedPublicIdentity as AvpValue | undefined);
  const userIdentity = avps.userIdentity as AvpValues | undefined;
  if (userIdentity !== undefined && typeof userIdentity === 'object' && !Buffer.isBuffer(userIdentity)) {
    add(userIdentity.publicIdentity as AvpValue | undefined);
    const msisdn = userIdentity.msisdn;
    if (Buffer.isBuffer(msisdn)) {
      const digits = tbcdDigits(msisdn);
      if (digits !== undefined) out.push(`tel:+${digits}`);
    }
  }
  add(avps.userName as AvpValue | undefined);
  return out;
}

/** The redirect policy of the node: the HSS of the user, or undefined (the handler answers 5001). */
export function redirectPolicy(
  table: IdentityTable<HssTarget>,
  redirect: SlfConfig['redirect'],
): (request: DiameterMessage) => RedirectDecision | undefined {
  const usage = RedirectHostUsage[redirect.usage];
  return (request) => {
    const hss = table.lookup(requestIdentities(request.avps));
    if (hss === undefined) return undefined;
    return { hosts: [hss.uri], usage, maxCacheTime: redirect.maxCacheTime };
  };
}

/** MSISDN (TS 29.329 §6.3.2) in TBCD: two digits an octet, low nibble first, 0xF filler. */
function tbcdDigits(octets: Buffer): string | undefined {
  let digits = '';
  for (const octet of octets)
    for (const nibble of [octet & 0x0f, octet >> 4]) {
      if (nibble === 0x0f) continue;
      if (nibble > 9) return undefined;
      digits += String(nibble);
    }
  return digits === '' ? undefined : digits;
}
