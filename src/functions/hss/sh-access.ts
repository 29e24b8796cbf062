/**
 * What every Sh request starts with (TS 29.328 §6.1.x.1, first steps): the user the request is
 * about, named by User-Identity (TS 29.329 §6.3.1: Public-Identity, or MSISDN), and whether the
 * application server may do what it asks with that data (TS 29.328 §6.2, AS permissions list).
 */
import type { UserIdentity } from '../../diameter/apps/sh.ts';
import type { ImpuMatch } from '../../store/subscriber-store.ts';
import type { HssContext } from './hss-context.ts';

/**
 * MSISDN (TS 29.329 §6.3.2): E.164 digits in TBCD (TS 29.002), two digits an octet, low nibble
 * first, 0xF as filler. Undefined when a nibble is not a digit.
 */
export function decodeMsisdn(octets: Buffer): string | undefined {
  let digits = '';
  for (const octet of octets) {
    for (const nibble of [octet & 0x0f, octet >> 4]) {
      if (nibble === 0x0f) continue;
      if (nibble > 9) return undefined;
      digits += String(nibble);
    }
  }
  return digits === '' ? undefined : digits;
}

/** MSISDN in TBCD, for the MSISDN data of UDA. */
export function encodeMsisdn(digits: string): Buffer {
  const out = Buffer.alloc(Math.ceil(digits.length / 2), 0xff);
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    const index = i >> 1;
    out[index] = i % 2 === 0 ? (out[index]! & 0xf0) | d : (out[index]! & 0x0f) | (d << 4);
  }
  return out;
}

/** The subscription and identity User-Identity names (a tel URI for an MSISDN), or undefined. */
export async function resolveUserIdentity(
  ctx: HssContext,
  userIdentity: UserIdentity,
): Promise<ImpuMatch | undefined> {
  if (userIdentity.publicIdentity !== undefined)
    return ctx.store.getSubscriptionByImpu(userIdentity.publicIdentity);
  if (userIdentity.msisdn !== undefined) {
    const digits = decodeMsisdn(userIdentity.msisdn);
    return digits === undefined ? undefined : ctx.store.getSubscriptionByImpu(`tel:+${digits}`);
  }
  return undefined;
}

export type ShOperation = 'read' | 'update' | 'subscribe';

/**
 * TS 29.328 §6.2: the HSS keeps, per AS, which Data-References it may read (UDR), update (PUR)
 * and subscribe to (SNR). An AS is known by its Origin-Host; an AS not provisioned is allowed
 * everything unless the configuration says otherwise.
 */
export async function permitted(
  ctx: HssContext,
  originHost: string,
  operation: ShOperation,
  dataReferences: readonly number[],
): Promise<boolean> {
  const as = await ctx.store.findApplicationServerByHost(originHost);
  if (as === undefined) return ctx.config.sh.allowUnknownApplicationServers;
  const allowed = as.shPermissions?.[operation];
  if (allowed === undefined) return true;
  return dataReferences.every((d) => allowed.includes(d));
}

/** Service-Indication values (OctetString) as the text the store keys repository data by. */
export function serviceIndications(values: readonly Buffer[] | undefined): string[] {
  return (values ?? []).map((v) => v.toString('utf8'));
}
