/**
 * tel URIs, RFC 3966. A parsed URI keeps its text: `toString()` returns it byte-exact until the
 * number or a parameter is changed, then the canonical form of `formatTelUri()`.
 */
import { SipParseError } from './errors.ts';
import { C_PARAM, isHostname, normalizeEscapes, scanClass, UriParamMap } from './uri-lexis.ts';

// RFC 3966 §3 character classes.
const T_DIGIT = 1; // DIGIT
const T_LOCAL = 2; // HEXDIG / "*" / "#"
const T_SEP = 4; // visual-separator = "-" / "." / "(" / ")"
const T_PNAME = 8; // alphanum / "-"
const T_URIC = 16; // reserved / unreserved / pct-encoded, minus ";" (it ends the parameter)
const T_HEX = 32;
const TEL_CHAR = new Uint8Array(65536);
function addClass(chars: string, bits: number): void {
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    TEL_CHAR[c] = (TEL_CHAR[c] ?? 0) | bits;
  }
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
addClass('0123456789', T_DIGIT);
addClass('0123456789ABCDEFabcdef*#', T_LOCAL);
addClass('-.()', T_SEP);
addClass(`${ALNUM}-`, T_PNAME);
addClass(`${ALNUM}-_.!~*'()%/?:@&=+$,`, T_URIC);
addClass('0123456789ABCDEFabcdef', T_HEX);

const REQUIRE_VALUE = new Set(['isub', 'ext', 'phone-context']);
const bad = (what: string): SipParseError => new SipParseError(`Bad tel URI: ${what}`);
const badValue = (name: string) => bad(REQUIRE_VALUE.has(name) ? `invalid ${name}` : 'invalid parameter');
const SEPARATORS = /[-.()]/g;

function stripSeparators(s: string): string {
  for (let i = 0; i < s.length; i++) if (TEL_CHAR[s.charCodeAt(i)]! & T_SEP) return s.replace(SEPARATORS, '');
  return s;
}

/** Checks [start, end) is global-number-digits ("+" *phonedigit DIGIT *phonedigit) or local-number-digits. */
function isNumber(s: string, start: number, end: number, global: boolean): boolean {
  if (global && s.charCodeAt(start++) !== 43) return false;
  const need = global ? T_DIGIT : T_LOCAL;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const bits = TEL_CHAR[s.charCodeAt(i)]!;
    if (bits & need) digits++;
    else if ((bits & T_SEP) === 0) return false;
  }
  return digits > 0;
}

/** Checks a parameter value of RFC 3966 §3 by parameter name. */
function isParamValue(name: string, s: string, start: number, end: number): boolean {
  if (start === end) return !REQUIRE_VALUE.has(name);
  switch (name) {
    case 'phone-context': // descriptor = domainname / global-number-digits
      return s.charCodeAt(start) === 43 ? isNumber(s, start, end, true) : isHostname(s, start, end);
    case 'ext': // extension = ";ext=" 1*phonedigit
      for (let i = start; i < end; i++) if (!(TEL_CHAR[s.charCodeAt(i)]! & (T_DIGIT | T_SEP))) return false;
      return true;
    case 'isub': // isdn-subaddress = ";isub=" 1*uric
      for (let i = start; i < end; i++) {
        const c = s.charCodeAt(i);
        if (!(TEL_CHAR[c]! & T_URIC)) return false;
        if (c === 37 && !(TEL_CHAR[s.charCodeAt(i + 1)]! & TEL_CHAR[s.charCodeAt(i + 2)]! & T_HEX))
          return false;
      }
      return true;
    default:
      return scanClass(s, start, end, C_PARAM, 'Bad tel URI: invalid parameter') === end;
  }
}

/** Fields of a tel URI built in code. */
export interface TelUriInit {
  /** Global ("+" first) or local number; visual separators are allowed and removed. */
  number: string;
  /** Required for a local number (RFC 3966 §5.1.5). */
  phoneContext?: string;
  params?: Iterable<readonly [string, string | null]>;
}

const LOADING: TelUriInit = { number: '+0' };

/**
 * A tel URI. Build one with `new TelUri({ number: '+1-201-555-0123', params: [['ext', '1234']] })`
 * or parse one with `parseTelUri()`. `params` holds every parameter (phone-context, ext, isub
 * included), names lowercased.
 */
export class TelUri {
  readonly scheme = 'tel';
  /** The number without visual separators; starts with '+' for a global number. */
  number = '';
  #params: UriParamMap<string | null> = new UriParamMap<string | null>(true, () => this.#changed());
  #written = ''; // number as written
  #text: string | undefined = undefined;
  #was = '';

  constructor(init: TelUriInit) {
    if (init === LOADING) return;
    const global = init.number.charCodeAt(0) === 43;
    if (!isNumber(init.number, 0, init.number.length, global)) throw bad('invalid number');
    this.number = stripSeparators(init.number);
    const params = this.#params;
    if (init.phoneContext !== undefined) params.load('phone-context', init.phoneContext);
    for (const [k, v] of init.params ?? []) {
      const name = k.toLowerCase();
      if (name === '' || scanPname(name, 0, name.length) !== name.length) throw bad('invalid parameter');
      if (v === null ? REQUIRE_VALUE.has(name) : !isParamValue(name, v, 0, v.length)) throw badValue(name);
      params.load(name, v);
    }
    if (global === params.has('phone-context'))
      throw bad(global ? 'phone-context on a global number' : 'local number without phone-context');
  }

  /** Parses `tel:` (scheme case-insensitive); throws SipParseError('Bad tel URI: ...'). */
  static parse(text: string): TelUri {
    const n = text.length;
    if (
      n < 4 ||
      (text.charCodeAt(0) | 32) !== 116 ||
      (text.charCodeAt(1) | 32) !== 101 ||
      (text.charCodeAt(2) | 32) !== 108 ||
      text.charCodeAt(3) !== 58
    )
      throw bad('scheme');
    let numEnd = text.indexOf(';', 4);
    if (numEnd < 0) numEnd = n;
    const global = text.charCodeAt(4) === 43;
    if (!isNumber(text, 4, numEnd, global)) throw bad('invalid number');
    const u = new TelUri(LOADING);
    u.#written = text.slice(4, numEnd);
    u.number = stripSeparators(u.#written);
    // par = parameter / extension / isdn-subaddress; parameter = ";" pname ["=" pvalue]
    const params = u.#params;
    for (let i = numEnd; i < n; ) {
      const nameEnd = scanPname(text, i + 1, n);
      if (nameEnd === i + 1) throw bad('invalid parameter');
      const name = text.slice(i + 1, nameEnd).toLowerCase();
      let next = nameEnd;
      let value: string | null = null;
      if (text.charCodeAt(nameEnd) === 61) {
        next = text.indexOf(';', nameEnd + 1);
        if (next < 0) next = n;
        if (!isParamValue(name, text, nameEnd + 1, next)) throw badValue(name);
        value = text.slice(nameEnd + 1, next);
      } else if (nameEnd < n && text.charCodeAt(nameEnd) !== 59) throw bad('invalid parameter');
      else if (REQUIRE_VALUE.has(name)) throw badValue(name);
      // RFC 3966 §3: each parameter name MUST NOT appear more than once.
      if (params.has(name)) throw bad(`duplicate ${name}`);
      params.load(name, value);
      i = next;
    }
    // RFC 3966 §5.1.5: local numbers MUST have a 'phone-context' parameter; it is meaningless
    // for a global number, so one there is refused too.
    if (global === params.has('phone-context'))
      throw bad(global ? 'phone-context on a global number' : 'local number without phone-context');
    u.#text = text;
    u.#was = u.number;
    return u;
  }

  get isGlobal(): boolean {
    return this.number.charCodeAt(0) === 43;
  }
  /** The number as written, visual separators included (the plain number once changed). */
  get writtenNumber(): string {
    return this.number === this.#was && this.#written !== '' ? this.#written : this.number;
  }
  /** Every parameter, names lowercased, values as written; changing it changes toString(). */
  get params(): Map<string, string | null> {
    return this.#params;
  }
  get phoneContext(): string | undefined {
    return this.#params.get('phone-context') ?? undefined;
  }
  get ext(): string | undefined {
    return this.#params.get('ext') ?? undefined;
  }
  get isub(): string | undefined {
    return this.#params.get('isub') ?? undefined;
  }
  param(name: string): string | null | undefined {
    return this.#params.get(name);
  }
  hasParam(name: string): boolean {
    return this.#params.has(name);
  }

  toString(): string {
    if (this.#text !== undefined && this.number === this.#was) return this.#text;
    this.#text = formatTelUri(this);
    this.#was = this.number;
    this.#written = '';
    return this.#text;
  }
  toJSON(): string {
    return this.toString();
  }

  #changed(): void {
    this.#text = undefined;
  }
}

function scanPname(s: string, i: number, end: number): number {
  while (i < end && TEL_CHAR[s.charCodeAt(i)]! & T_PNAME) i++;
  return i;
}

/** Parses a tel URI (RFC 3966 §3). */
export function parseTelUri(text: string): TelUri {
  return TelUri.parse(text);
}

/** Rank of a parameter in the order of RFC 3966 §3: isub, ext, phone-context, then by name. */
function rank(name: string): number {
  return name === 'isub' ? 0 : name === 'ext' ? 1 : name === 'phone-context' ? 2 : 3;
}

/** Canonical text: number without separators, parameters in the RFC 3966 §3 order. */
export function formatTelUri(u: TelUri): string {
  let s = `tel:${u.number}`;
  const names = [...u.params.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const v = u.params.get(name);
    s += v === null || v === undefined ? `;${name}` : `;${name}=${v}`;
  }
  return s;
}

/** Compares a parameter value: digits without separators, everything else case-insensitively. */
function valueKey(name: string, v: string | null): string | null {
  if (v === null) return null;
  if (name === 'ext' || (name === 'phone-context' && v.charCodeAt(0) === 43)) return stripSeparators(v);
  return normalizeEscapes(v, true);
}

/**
 * RFC 3966 §4: both local or both global; numbers equal without visual separators; the same
 * parameter names, in any order; phone-context compared as a host name or digit by digit;
 * comparisons case-insensitive.
 */
export function telUriEquals(a: TelUri, b: TelUri): boolean {
  if (a.isGlobal !== b.isGlobal) return false;
  if (a.number.toLowerCase() !== b.number.toLowerCase()) return false;
  if (a.params.size !== b.params.size) return false;
  for (const [name, va] of a.params) {
    if (!b.params.has(name)) return false;
    if (valueKey(name, va) !== valueKey(name, b.params.get(name) ?? null)) return false;
  }
  return true;
}
