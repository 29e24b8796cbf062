/**
 * SDP bodies (RFC 4566), a thin typed wrapper on `sdp-transform`. The object model is the
 * library's; attributes it does not model (RFC 3312 `a=curr`, `a=des`, `a=conf` among them) are
 * kept in order in `invalid` and read with `otherAttributes()`.
 *
 * Formatting is semantic, not byte-exact: lines come out in the library's canonical order
 * (RFC 4566 §5 order of types, attributes grouped by kind), with CRLF line ends.
 */

import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { parse, write } from 'sdp-transform';
import { SipParseError } from '../errors.ts';

export type { MediaDescription, SessionDescription } from 'sdp-transform';

const bad = (what: string): SipParseError => new SipParseError(`Bad SDP: ${what}`);
// RFC 4566 §5: `<type>=<value>`, type exactly one lowercase letter.
const LINE = /^[a-z]=/;
// RFC 4566 §5: the types a media description may hold.
const MEDIA_TYPES = 'micbka';
const ORIGIN = /^o=\S+ \d+ \d+ \S+ IP[46] \S+$/;

/**
 * Parses an SDP body (text or the raw body bytes, UTF-8). Throws SipParseError('Bad SDP: ...')
 * when it is not SDP: a line not of the form `x=...`, no `v=0` first, no `o=` or `s=`, an
 * unreadable `m=` or `c=` line, or a media section without a connection address
 * (RFC 4566 §5.7: c= in every media section or at session level).
 */
export function parseSdp(body: string | Buffer): SessionDescription {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  // RFC 4566 §5: lines end with CRLF, but parsers SHOULD accept LF alone.
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') throw bad(lines[0]?.startsWith('v=') ? 'unsupported version' : 'missing v= line');
  let origin = false;
  let name = false;
  let inMedia = false;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (!LINE.test(line)) throw bad(line === '' ? 'empty line' : 'line is not <type>=<value>');
    const type = line.charAt(0);
    // RFC 4566 §5: v=, o=, s= once each, and session-level types never inside a media section.
    if (
      inMedia
        ? !MEDIA_TYPES.includes(type)
        : (type === 'v' && k > 0) || (type === 'o' && origin) || (type === 's' && name)
    )
      throw bad(`misplaced ${type}= line`);
    if (type === 'o') {
      if (!ORIGIN.test(line)) throw bad('invalid o= line');
      origin = true;
    } else if (type === 's') name = true;
    else if (type === 'm') {
      if (!/^m=\S+ \d+ \S+/.test(line)) throw bad('invalid m= line');
      inMedia = true;
    }
  }
  if (!origin) throw bad('missing o= line');
  if (!name) throw bad('missing s= line');
  const sdp = parse(text);
  const sessionAddress = sdp.connection?.ip;
  for (const m of sdp.media) {
    // DEVIATION: a port count (`m=video 49170/2 ...`, RFC 4566 §5.14) is not modelled by
    // sdp-transform and is refused rather than silently dropped.
    if (!Number.isInteger(m.port) || m.port > 65535) throw bad('invalid m= line');
    if (!(m.connection?.ip ?? sessionAddress)) throw bad(`no c= line for m=${m.type}`);
  }
  return sdp;
}

/** Formats an SDP object as a body (CRLF line ends, RFC 4566 §5 order). */
export function formatSdp(sdp: SessionDescription): string {
  const text = write(sdp);
  // sdp-transform writes the session version as a JS number: a value past 2^53 (which it keeps
  // as a string when parsing) would lose digits, so that o= line is written here.
  const o = sdp.origin;
  if (typeof o?.sessionVersion === 'number' && Number.isSafeInteger(o.sessionVersion)) return text;
  if (o === undefined) return text;
  const line = `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} IP${o.ipVer} ${o.address}`;
  return text.replace(/^o=.*$/m, line);
}

/**
 * Values of the `a=<name>:<value>` (or bare `a=<name>`) lines of a session or media section that
 * sdp-transform does not model, in order. For RFC 3312 preconditions:
 * `otherAttributes(m, 'curr')` → `['qos local none', 'qos remote none']`.
 */
export function otherAttributes(section: SessionDescription | MediaDescription, name: string): string[] {
  const out: string[] = [];
  for (const { value } of section.invalid ?? []) {
    const colon = value.indexOf(':');
    const attr = colon < 0 ? value : value.slice(0, colon);
    if (attr === name) out.push(colon < 0 ? '' : value.slice(colon + 1));
  }
  return out;
}
