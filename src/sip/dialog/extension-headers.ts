import {
  type HeaderSpec,
  type Params,
  paramValue,
  type SipMessage,
  SipParseError,
} from '../message/index.ts';

/**
 * Parsers of the headers of the SIP extensions the INVITE dialog usage implements, and option
 * tag helpers. They live here, not in the message layer's table, because only user agents
 * read them (a proxy forwards them untouched).
 */

/** RFC 3261 §20.5: the methods we accept in a dialog (Allow). */
export const ALLOWED_METHODS = 'INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, OPTIONS';

const DELTA_SECONDS = /^\d{1,10}$/;

function bad(header: string): SipParseError {
  return new SipParseError(`Bad ${header} header`, header);
}

/** `;name=value` parameters after a value (tokens only: these headers carry nothing else). */
function parseSimpleParams(rest: string, header: string): Params {
  const params: Params = new Map();
  for (const part of rest.split(';').slice(1)) {
    const [name, value] = part.split('=', 2).map((s) => s.trim());
    if (!name) throw bad(header);
    params.set(name.toLowerCase(), value === undefined ? null : value);
  }
  return params;
}

/** RFC 3262 §7.2: `RAck = "RAck" HCOLON response-num LWS CSeq-num LWS Method`. */
export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

export const RACK: HeaderSpec<RAck> = {
  name: 'RAck',
  parse(value) {
    const m = /^(\d{1,10})\s+(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)$/.exec(value.trim());
    if (!m) throw bad('RAck');
    return { rseq: Number(m[1]), cseq: Number(m[2]), method: m[3]! };
  },
};

/** RFC 4028 §4: `Session-Expires = delta-seconds *(SEMI se-params)`, se-params: refresher. */
export interface SessionExpires {
  /** Session interval in seconds. */
  interval: number;
  refresher: 'uac' | 'uas' | undefined;
}

export const SESSION_EXPIRES: HeaderSpec<SessionExpires> = {
  name: 'Session-Expires',
  parse(value) {
    const head = value.split(';', 1)[0]!.trim();
    if (!DELTA_SECONDS.test(head)) throw bad('Session-Expires');
    const refresher = paramValue(parseSimpleParams(value, 'Session-Expires'), 'refresher')?.toLowerCase();
    return {
      interval: Number(head),
      refresher: refresher === 'uac' || refresher === 'uas' ? refresher : undefined,
    };
  },
};

/** RFC 4028 §5: `Min-SE = delta-seconds *(SEMI generic-param)`. */
export const MIN_SE: HeaderSpec<number> = {
  name: 'Min-SE',
  parse(value) {
    const head = value.split(';', 1)[0]!.trim();
    if (!DELTA_SECONDS.test(head)) throw bad('Min-SE');
    return Number(head);
  },
};

/** A typed header value, or undefined when it is absent or malformed. */
export function readHeader<T>(message: SipMessage, spec: HeaderSpec<T>): T | undefined {
  const raw = message.headers.get(spec.name);
  if (raw === undefined) return undefined;
  try {
    return spec.parse(raw);
  } catch {
    return undefined;
  }
}

/** Option tags of Supported, Require or Allow (list headers), lower-cased. */
export function optionTags(message: SipMessage, header: 'Supported' | 'Require' | 'Allow'): string[] {
  try {
    return message.headers.values(header).map((t) => t.toLowerCase());
  } catch {
    return [];
  }
}

export function hasOptionTag(
  message: SipMessage,
  header: 'Supported' | 'Require' | 'Allow',
  tag: string,
): boolean {
  return optionTags(message, header).includes(tag.toLowerCase());
}

/** RFC 3262 §4: a provisional response sent reliably: Require: 100rel and an RSeq. */
export function rseqOf(message: SipMessage): number | undefined {
  if (!hasOptionTag(message, 'Require', '100rel')) return undefined;
  const v = message.headers.get('RSeq');
  return v !== undefined && /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : undefined;
}
