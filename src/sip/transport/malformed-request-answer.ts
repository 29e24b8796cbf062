import {
  type HeaderField,
  Headers,
  newTag,
  type SipParseError,
  SipResponse,
  TO,
  VIA,
} from '../message/index.ts';
import { defaultPort, normalizeIp } from './connection.ts';
import type { Flow, HostPort } from './types.ts';

/** A stateless answer to a request that failed to parse, and where it goes. */
export interface MalformedRequestAnswer {
  response: SipResponse;
  /**
   * Undefined: the copied Via parses, the response is routed by it like any other
   * (RFC 3261 §18.2.2, after received/rport are stamped on it). Else the Via is missing or
   * unreadable: over a stream flow the answer goes over the request's connection, over UDP
   * to this address.
   */
  target?: HostPort;
}

/** RFC 3261 §8.2.6.2: what a response copies from the request, in this order. */
const COPIED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;

/** `SIP/2.0/UDP host[:port]` at the start of a Via value, read leniently (LWS allowed around / and :). */
const SENT_BY =
  /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?:\s*:\s*(\d{1,5}))?\s*(?:[;,]|$)/;

/**
 * RFC 3261 §8.2.2, §21.4.1: the stateless answer (400, 505 or 513 with the error's reason) to
 * a request that failed to parse. Via, From, To, Call-ID and CSeq are copied as received,
 * the typed parse not needed (§8.2.6.2), so a malformed From, To, CSeq or Via is still
 * answered; a To tag is added when the To has none and can take one. Undefined when there is
 * nothing to answer: a response, or a request with neither Via nor Call-ID (nothing a client
 * could match an answer with), or whose header lines could not be read at all.
 */
export function malformedRequestAnswer(err: SipParseError, flow: Flow): MalformedRequestAnswer | undefined {
  const h = err.headers;
  if (!h || err.kind !== 'request') return undefined;
  const vias = h.fieldsOf('Via');
  if (vias.length === 0 && !h.has('Call-ID')) return undefined;
  const out = new Headers();
  for (const name of COPIED) {
    // A field repeated against §7.3.1 (RFC 4475 §3.3.8) is copied once: Via alone is a list.
    const fields = name === 'Via' ? vias : h.fieldsOf(name).slice(0, 1);
    for (const f of fields) out.append(f.name, name === 'To' ? withToTag(h, f) : f.value);
  }
  out.append('Content-Length', '0');
  const response = new SipResponse(err.status, err.phrase, out);
  if (viaParses(h)) return { response };
  return { response, target: fallbackTarget(vias[0], flow) };
}

function viaParses(h: Headers): boolean {
  try {
    return h.parsed(VIA).length > 0;
  } catch {
    return false;
  }
}

/** The To value with a tag (§8.2.6.2) if it has none: typed when it parses, else by its text. */
function withToTag(h: Headers, field: HeaderField): string {
  let tagged: boolean;
  try {
    tagged = h.first(TO)?.tag !== undefined;
  } catch {
    if (!canTakeTag(field.value)) return field.value;
    tagged = /;\s*tag\s*=/i.test(field.value.slice(field.value.lastIndexOf('>') + 1));
  }
  return tagged ? field.value : `${field.value};tag=${newTag()}`;
}

/**
 * Whether `;tag=` appended to a To that did not parse stays a To parameter: quotes balanced
 * (else it would land in the display name, RFC 4475 §3.1.2.6) and no '<' left open.
 */
function canTakeTag(value: string): boolean {
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle++;
    else if (c === '>') angle--;
  }
  return !quoted && angle === 0 && value.length > 0;
}

/**
 * Where the answer goes when the Via is missing or does not parse. RFC 3261 §18.2.2 needs a
 * Via; this is our choice for the rest:
 * - a readable sent-by in the top Via: the source address (what `received` would hold,
 *   §18.2.1: it differs from sent-by or equals it), at the source port when the Via asks for
 *   `rport` (RFC 3581 §4), else at the sent-by port;
 * - no Via, or none readable: the source address and port of the datagram (RFC 3581 style).
 * Over a stream flow the target is not used: the answer goes over the request's connection.
 */
function fallbackTarget(via: HeaderField | undefined, flow: Flow): HostPort {
  const m = via ? SENT_BY.exec(via.value) : null;
  if (!m) return { ...flow.remote };
  const host = normalizeIp(flow.remote.host);
  const rport = /;\s*rport\s*(?:[;,=]|$)/i.test(via!.value.split(',')[0]!);
  const port = m[3] === undefined ? defaultPort(m[1]!) : Number(m[3]);
  return { host, port: rport || port < 1 || port > 65535 ? flow.remote.port : port };
}
