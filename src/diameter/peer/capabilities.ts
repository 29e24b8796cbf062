import type { AvpValues } from '../codec/message.ts';

/** RFC 6733 §2.4: the Relay application id, matching every application. */
export const RELAY_APPLICATION_ID = 0xffffffff;

/** An application a node supports, as advertised in CER/CEA. */
export interface AdvertisedApplication {
  id: number;
  /** Non-zero: advertised inside Vendor-Specific-Application-Id (RFC 6733 §6.11). */
  vendorId: number;
  kind: 'auth' | 'acct';
}

/** Who a node is: the contents of its CER/CEA (RFC 6733 §5.3). */
export interface LocalIdentity {
  originHost: string;
  originRealm: string;
  /** Host-IP-Address values; when empty the connection's local address is used. */
  hostIpAddresses: string[];
  vendorId: number;
  productName: string;
  firmwareRevision?: number;
  /** RFC 6733 §8.16: changes each time the node restarts with its state lost. */
  originStateId: number;
  applications: AdvertisedApplication[];
}

/** The AVPs of a CER, or of a CEA without its Result-Code (RFC 6733 §5.3.1-5.3.2). */
export function capabilitiesAvps(local: LocalIdentity, fallbackAddress: string): AvpValues {
  const plain = local.applications.filter((a) => a.vendorId === 0);
  const vendor = local.applications.filter((a) => a.vendorId !== 0);
  const avps: AvpValues = {
    originHost: local.originHost,
    originRealm: local.originRealm,
    hostIpAddress: local.hostIpAddresses.length > 0 ? local.hostIpAddresses : [fallbackAddress],
    vendorId: local.vendorId,
    productName: local.productName,
    originStateId: local.originStateId,
    supportedVendorId: [...new Set(vendor.map((a) => a.vendorId))],
    authApplicationId: plain.filter((a) => a.kind === 'auth').map((a) => a.id),
    acctApplicationId: plain.filter((a) => a.kind === 'acct').map((a) => a.id),
    vendorSpecificApplicationId: vendor.map((a) =>
      a.kind === 'auth'
        ? { vendorId: a.vendorId, authApplicationId: a.id }
        : { vendorId: a.vendorId, acctApplicationId: a.id },
    ),
  };
  if (local.firmwareRevision !== undefined) avps.firmwareRevision = local.firmwareRevision;
  return avps;
}

/** Application ids a peer advertised in its CER or CEA, from all three places. */
export function advertisedApplicationIds(avps: AvpValues): number[] {
  const ids: number[] = [];
  for (const key of ['authApplicationId', 'acctApplicationId'] as const) {
    const v = avps[key];
    if (Array.isArray(v)) ids.push(...(v as number[]));
  }
  const vsai = avps.vendorSpecificApplicationId;
  if (Array.isArray(vsai)) {
    for (const g of vsai as AvpValues[]) {
      if (typeof g.authApplicationId === 'number') ids.push(g.authApplicationId);
      if (typeof g.acctApplicationId === 'number') ids.push(g.acctApplicationId);
    }
  }
  return ids;
}

/**
 * RFC 6733 §5.3: the applications both sides support. The Relay id on either side matches
 * everything the other side has. Base (0) does not count: it is always there.
 */
export function commonApplications(local: readonly number[], remote: readonly number[]): number[] {
  const l = local.filter((id) => id !== 0);
  const r = remote.filter((id) => id !== 0);
  if (l.length === 0 || r.length === 0) return [];
  if (l.includes(RELAY_APPLICATION_ID)) return r;
  if (r.includes(RELAY_APPLICATION_ID)) return l;
  return l.filter((id) => r.includes(id));
}
