/**
 * The shape of dictionary data. Dictionaries are tables, not code: an application is a list of
 * AVP definitions, grouped-AVP member rules and command rules written in the ABNF of
 * RFC 6733 §3.2, plus enumerated values. `Dictionary` joins them and the codec reads it.
 */

/** RFC 6733 §4.2-4.3 basic and derived AVP data formats. */
export type AvpType =
  | 'OctetString'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Float32'
  | 'Float64'
  | 'Grouped'
  | 'Address'
  | 'Time'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Enumerated'
  | 'IPFilterRule';

export const AVP_TYPES: readonly AvpType[] = [
  'OctetString',
  'Integer32',
  'Integer64',
  'Unsigned32',
  'Unsigned64',
  'Float32',
  'Float64',
  'Grouped',
  'Address',
  'Time',
  'UTF8String',
  'DiameterIdentity',
  'DiameterURI',
  'Enumerated',
  'IPFilterRule',
];

/**
 * The M-bit rule of an AVP's flag table: 'must' (set it, the receiver must understand it),
 * 'mustNot' (a peer setting it violates the definition: 3009), 'may'.
 */
export type FlagRule = 'must' | 'mustNot' | 'may';

/** One row of an AVP table. */
export interface AvpDefinition {
  readonly name: string;
  readonly code: number;
  /** 0 for IETF AVPs; the V bit is set exactly when this is not 0. */
  readonly vendorId: number;
  readonly type: AvpType;
  readonly mandatory: FlagRule;
  /** Where the definition comes from, e.g. 'RFC 6733 §5.3.5' or 'TS 29.229 §6.3.2'. */
  readonly clause: string;
}

/** Rules in RFC 6733 §3.2 ABNF, one per line: `< Session-Id >`, `1*{ Host-IP-Address }`, `*[ AVP ]`. */
export type Abnf = string;

export interface CommandDefinition {
  /** Command name without -Request/-Answer, e.g. 'User-Authorization'. */
  readonly name: string;
  /** Abbreviations, e.g. ['UAR', 'UAA']. */
  readonly abbreviations: readonly [string, string];
  readonly code: number;
  /** Application id written in the header; 0 for the base protocol. */
  readonly applicationId: number;
  /** The PXY flag of the command's header definition. */
  readonly proxiable: boolean;
  readonly request: Abnf;
  readonly answer: Abnf;
  readonly clause: string;
}

export interface ApplicationDefinition {
  readonly name: string;
  /** 0 for base, 3 for base accounting, 16777216 Cx, ... */
  readonly id: number;
  /** Vendor of the application (10415 for 3GPP), used in Vendor-Specific-Application-Id. */
  readonly vendorId: number;
  /** Whether the application is advertised as Auth-Application-Id or Acct-Application-Id. */
  readonly kind: 'auth' | 'acct' | 'base';
  readonly avps: readonly AvpDefinition[];
  /** Grouped AVP name → member rules. */
  readonly grouped: Readonly<Record<string, Abnf>>;
  /** Enumerated AVP name → label → value. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly commands: readonly CommandDefinition[];
}

/** One parsed ABNF rule (RFC 6733 §3.2). `name` 'AVP' is the wildcard. */
export interface AvpRule {
  readonly name: string;
  readonly min: number;
  /** Infinity when unbounded. */
  readonly max: number;
  /** `< ... >` fixed position (Session-Id first). */
  readonly fixed: boolean;
  /** `{ ... }` required, as opposed to `[ ... ]` optional. */
  readonly required: boolean;
}
