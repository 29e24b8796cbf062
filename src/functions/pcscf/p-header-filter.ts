import {
  P_ACCESS_NETWORK_INFO,
  SipParseError,
  type SipRequest,
  type SipResponse,
} from '../../sip/message/index.ts';

/**
 * Headers only the network asserts (RFC 3325 §5, RFC 7315 §4, TS 24.229 §5.2.6.3.1): a UE is
 * outside the trust domain, so what it puts in them is removed before its request or response
 * enters the core.
 */
const ASSERTED_BY_THE_NETWORK = [
  'P-Asserted-Identity',
  'P-Charging-Vector',
  'P-Charging-Function-Addresses',
  'P-Visited-Network-ID',
  'P-Served-User',
  'P-Profile-Key',
  'P-Asserted-Service',
  'P-Called-Party-ID',
];

/** TS 24.229 §5.2.6.3.1 and §5.2.2.1: a UE's message loses the headers it may not set. */
export function removeUntrustedHeaders(message: SipRequest | SipResponse): void {
  for (const name of ASSERTED_BY_THE_NETWORK) message.headers.delete(name);
  // TS 24.229 §7.2A.4: a P-Access-Network-Info with "network-provided" comes from the
  // P-CSCF, never from the UE; the UE's own (without it) travels on.
  const pani = message.headers.values('P-Access-Network-Info');
  if (pani.length > 0) {
    let kept: string[];
    try {
      kept = pani.filter((v) => !P_ACCESS_NETWORK_INFO.parse(v).networkProvided);
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      kept = [];
    }
    if (kept.length > 0) message.headers.set('P-Access-Network-Info', kept);
    else message.headers.delete('P-Access-Network-Info');
  }
}

/** Headers that stay inside the network (charging, profile keys, served user). */
const NETWORK_ONLY = [
  'P-Charging-Vector',
  'P-Charging-Function-Addresses',
  'P-Served-User',
  'P-Profile-Key',
  'P-Visited-Network-ID',
];

/**
 * TS 24.229 §5.2.7 and §5.2.6.4: what goes to a UE loses the charging headers, and
 * P-Asserted-Identity when the sender asked for privacy (RFC 3325 §7, RFC 3323 `id`): the UE
 * is outside the trust domain.
 */
export function removeNetworkHeaders(message: SipRequest | SipResponse): void {
  for (const name of NETWORK_ONLY) message.headers.delete(name);
  const privacy = message.headers
    .values('Privacy')
    .flatMap((v) => v.split(';'))
    .map((p) => p.trim().toLowerCase());
  if (privacy.includes('id') || privacy.includes('header')) message.headers.delete('P-Asserted-Identity');
}
