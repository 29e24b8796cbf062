import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { scanQuoted, scanToken, skipWs, unquote } from './lex.ts';
import { type Params, paramValue, parseParams } from './params.ts';

/**
 * The 3GPP P-headers of RFC 7315 that are not plain addresses (those are in name-addr.ts).
 */

/** A leading token or quoted-string followed by parameters. */
function parseLeadingValue(value: string, header: string): { value: string; params: Params } {
  const bad = () => new SipParseError(`Bad ${header} header`, header);
  let end: number;
  let v: string;
  if (value.charCodeAt(0) === 34) {
    end = scanQuoted(value, 0);
    if (end < 0) throw bad();
    v = unquote(value.slice(0, end));
  } else {
    end = scanToken(value, 0);
    if (end === 0) throw bad();
    v = value.slice(0, end);
  }
  const params: Params = new Map();
  const i = parseParams(value, end, params, header);
  if (skipWs(value, i) !== value.length) throw bad();
  return { value: v, params };
}

/** Parameters with no leading value: `param *(SEMI param)`. */
function parseBareParams(value: string, header: string): Params {
  const params: Params = new Map();
  const i = parseParams(`;${value}`, 0, params, header);
  if (skipWs(`;${value}`, i) !== value.length + 1) throw new SipParseError(`Bad ${header} header`, header);
  return params;
}

/** RFC 7315 §4.3: `vnetwork-spec = (token / quoted-string) *(SEMI vnetwork-spec-param)`. */
export interface VisitedNetworkId {
  value: string;
  params: Params;
}

export const P_VISITED_NETWORK_ID: HeaderSpec<VisitedNetworkId> = {
  name: 'P-Visited-Network-ID',
  parse: (v) => parseLeadingValue(v, 'P-Visited-Network-ID'),
};

/**
 * RFC 7315 §4.4 (and TS 24.229 §7.2A.4): `access-net-spec = (access-type / access-class)
 * *(SEMI access-info)`, e.g. `3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=001010001000019B`.
 */
export interface AccessNetworkInfo {
  accessType: string;
  params: Params;
  /** TS 24.229 §7.2A.4: added by the P-CSCF, not the UE. */
  readonly networkProvided: boolean;
}

export const P_ACCESS_NETWORK_INFO: HeaderSpec<AccessNetworkInfo> = {
  name: 'P-Access-Network-Info',
  parse(v) {
    const { value, params } = parseLeadingValue(v, 'P-Access-Network-Info');
    return { accessType: value, params, networkProvided: params.has('network-provided') };
  },
};

/**
 * RFC 7315 §4.6: `icid-value *(SEMI charge-params)`; charge-params include
 * icid-generated-at, orig-ioi, term-ioi, transit-ioi and extensions.
 */
export interface ChargingVector {
  icidValue: string;
  icidGeneratedAt?: string;
  origIoi?: string;
  termIoi?: string;
  params: Params;
}

export const P_CHARGING_VECTOR: HeaderSpec<ChargingVector> = {
  name: 'P-Charging-Vector',
  parse(v) {
    const params = parseBareParams(v, 'P-Charging-Vector');
    const icid = paramValue(params, 'icid-value');
    if (!icid)
      throw new SipParseError('Bad P-Charging-Vector header: missing icid-value', 'P-Charging-Vector');
    return {
      icidValue: icid,
      icidGeneratedAt: paramValue(params, 'icid-generated-at') ?? undefined,
      origIoi: paramValue(params, 'orig-ioi') ?? undefined,
      termIoi: paramValue(params, 'term-ioi') ?? undefined,
      params,
    };
  },
};

/**
 * RFC 7315 §4.5: `charge-addr-params *(SEMI charge-addr-params)` where ccf and ecf may each
 * appear more than once (primary, then secondary), so they are kept as ordered lists.
 */
export interface ChargingFunctionAddresses {
  ccf: string[];
  ecf: string[];
}

export const P_CHARGING_FUNCTION_ADDRESSES: HeaderSpec<ChargingFunctionAddresses> = {
  name: 'P-Charging-Function-Addresses',
  parse(v) {
    const H = 'P-Charging-Function-Addresses';
    const out: ChargingFunctionAddresses = { ccf: [], ecf: [] };
    const text = `;${v}`;
    const collect = {
      set(name: string, value: string | null) {
        if (value !== null && (name === 'ccf' || name === 'ecf'))
          out[name].push(value.charCodeAt(0) === 34 ? unquote(value) : value);
        return this as unknown as Params;
      },
    };
    const end = parseParams(text, 0, collect, H);
    if (skipWs(text, end) !== text.length) throw new SipParseError(`Bad ${H} header`, H);
    if (out.ccf.length === 0 && out.ecf.length === 0)
      throw new SipParseError(`Bad ${H} header: no ccf or ecf`, H);
    return out;
  },
};

export function formatChargingFunctionAddresses(a: ChargingFunctionAddresses): string {
  return [...a.ccf.map((x) => `ccf=${x}`), ...a.ecf.map((x) => `ecf=${x}`)].join(';');
}
