import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { isToken, isWs, parseUint, skipWs } from './lex.ts';
import { type Params, parseParams } from './params.ts';

/** A header whose value is one unsigned integer no larger than `max`. */
function uintSpec(name: string, max: number): HeaderSpec<number> {
  return {
    name,
    parse(value) {
      const n = parseUint(value, max);
      if (n < 0) throw new SipParseError(`Bad ${name} header: not a number up to ${max}`, name);
      return n;
    },
  };
}

/** RFC 3261 §20.22: 0-255 hops. */
export const MAX_FORWARDS = uintSpec('Max-Forwards', 255);
/** RFC 3261 §20.14 */
export const CONTENT_LENGTH = uintSpec('Content-Length', 0xffffffff);
/** RFC 3261 §20.19: delta-seconds, 32 bits. */
export const EXPIRES = uintSpec('Expires', 0xffffffff);
/** RFC 3261 §20.23 */
export const MIN_EXPIRES = uintSpec('Min-Expires', 0xffffffff);
/** RFC 3262 §7.1 */
export const RSEQ = uintSpec('RSeq', 0xffffffff);

/** RFC 3261 §20.16: `CSeq = 1*DIGIT LWS Method`, the number below 2**31 for new requests (§8.1.1.5). */
export interface CSeq {
  seq: number;
  method: string;
}

export const CSEQ: HeaderSpec<CSeq> = {
  name: 'CSeq',
  parse(value) {
    let i = 0;
    while (i < value.length && !isWs(value.charCodeAt(i))) i++;
    const seq = parseUint(value.slice(0, i));
    const method = value.slice(skipWs(value, i));
    if (seq < 0 || i === value.length || !isToken(method)) {
      throw new SipParseError('Bad CSeq header', 'CSeq');
    }
    return { seq, method };
  },
};

export function formatCSeq(c: CSeq): string {
  return `${c.seq} ${c.method}`;
}

/** RFC 3261 §20.8: `callid = word [ "@" word ]`. */
export const CALL_ID: HeaderSpec<string> = {
  name: 'Call-ID',
  parse(value) {
    if (value.length === 0 || /[\s]/.test(value)) throw new SipParseError('Bad Call-ID header', 'Call-ID');
    return value;
  },
};

/** Option tags of Supported, Require, Proxy-Require, Unsupported (RFC 3261 §20.37 etc.). */
function optionTagSpec(name: string): HeaderSpec<string> {
  return {
    name,
    parse(value) {
      if (!isToken(value)) throw new SipParseError(`Bad ${name} header: not an option tag`, name);
      return value;
    },
  };
}

export const SUPPORTED = optionTagSpec('Supported');
export const REQUIRE = optionTagSpec('Require');
export const PROXY_REQUIRE = optionTagSpec('Proxy-Require');
export const UNSUPPORTED = optionTagSpec('Unsupported');
export const ALLOW = optionTagSpec('Allow');
export const ALLOW_EVENTS = optionTagSpec('Allow-Events');

/** RFC 3261 §20.33: `Retry-After = delta-seconds [ comment ] *( SEMI retry-param )`. */
export const RETRY_AFTER: HeaderSpec<{ seconds: number; params: Params }> = {
  name: 'Retry-After',
  parse(value) {
    const m = /^(\d+)\s*(\([^)]*\))?/.exec(value);
    const seconds = m ? parseUint(m[1]!) : -1;
    if (!m || seconds < 0) throw new SipParseError('Bad Retry-After header', 'Retry-After');
    const params: Params = new Map();
    const end = parseParams(value, m[0].length, params, 'Retry-After');
    if (skipWs(value, end) !== value.length) throw new SipParseError('Bad Retry-After header', 'Retry-After');
    return { seconds, params };
  },
};

/** RFC 3261 §20.43: `warn-code SP warn-agent SP warn-text`, warn-code = 3DIGIT. */
export const WARNING: HeaderSpec<{ code: number; agent: string; text: string }> = {
  name: 'Warning',
  parse(value) {
    const m = /^(\d{3}) +(\S+) +("(?:[^"\\]|\\.)*")$/.exec(value);
    if (!m) throw new SipParseError('Bad Warning header', 'Warning');
    return { code: Number(m[1]), agent: m[2]!, text: m[3]!.slice(1, -1) };
  },
};

const WKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const RFC1123 = new RegExp(`^${WKDAY}, \\d{2} ${MONTH} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$`);

/** RFC 3261 §20.17: rfc1123-date, and always GMT. */
export const DATE: HeaderSpec<Date> = {
  name: 'Date',
  parse(value) {
    if (!RFC1123.test(value))
      throw new SipParseError('Bad Date header: must be an RFC 1123 date in GMT', 'Date');
    return new Date(value);
  },
};
