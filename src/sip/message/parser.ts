import { isUtf8 } from 'node:buffer';
import { SipParseError } from './errors.ts';
import { findKnownSpelling, headerKey } from './header-table.ts';
import { type HeaderField, Headers } from './headers.ts';
import { isToken, isTokenChar, isWs, parseUint } from './lex.ts';
import { FROM, TO } from './name-addr.ts';
import { CALL_ID, CSEQ, MAX_FORWARDS } from './scalars.ts';
import { SipRequest } from './sip-request.ts';
import { SipResponse } from './sip-response.ts';
import { parseUri } from './uri.ts';
import { VIA } from './via.ts';

export interface ParseOptions {
  /**
   * The bytes come from a stream transport, already cut at the message boundary by a
   * StreamFramer (RFC 3261 §18.3: Content-Length is then mandatory). Otherwise they are one
   * datagram: the body is what follows the headers, cut to Content-Length when present.
   */
  stream?: boolean;
  /**
   * Only the start line and headers are wanted (the bytes may end after the empty line, the
   * body is not framed): to answer a message refused for its size (RFC 3261 §21.5.14).
   */
  headersOnly?: boolean;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
/**
 * RFC 3261 §25.1: no control character but HTAB in the header section (CR and LF end lines),
 * except escaped in a quoted-pair (`\` then any of %x00-09 / %x0B-0C / %x0E-7F: RFC 4475
 * §3.1.1.2 is valid with one).
 */
const CONTROL = /(?<!\\)[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

/** Where the header section ends: [end of header text, start of body], or undefined. */
export function findHeaderEnd(buf: Buffer, from: number): [number, number] | undefined {
  const i = buf.indexOf(CRLFCRLF, from);
  if (i >= 0) return [i, i + 4];
  // Tolerate bare LF line ends (RFC 3261 §7 asks for CRLF; being lenient costs nothing here).
  for (let j = buf.indexOf(10, from); j >= 0; j = buf.indexOf(10, j + 1)) {
    if (buf[j + 1] === 10) return [j, j + 2];
    if (buf[j + 1] === 13 && buf[j + 2] === 10) return [j, j + 3];
  }
  return undefined;
}

/**
 * Parses one SIP message from bytes. Checks the start line, the framing and the header
 * lines, and parses at once only what every element needs to handle the message in a
 * transaction (Via, CSeq, Call-ID, From, To, Max-Forwards, Request-URI). Other headers are
 * parsed when read, so a proxy forwards what it does not use untouched (RFC 3261 §16.3 step 1);
 * `validateMessage` checks everything for an endpoint. Throws only SipParseError.
 */
export function parseMessage(buf: Buffer, options: ParseOptions = {}): SipRequest | SipResponse {
  let start = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++;
  if (start === buf.length) throw new SipParseError('Empty message');
  let end = findHeaderEnd(buf, start);
  if (!end) {
    if (options.stream || buf[buf.length - 1] !== 10)
      throw new SipParseError('Missing empty line after headers');
    end = [buf.length - 1, buf.length];
  }
  const [headerEnd, bodyStart] = end;
  let encoding: 'utf8' | 'latin1' = 'utf8';
  let text = buf.toString('utf8', start, headerEnd);
  if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, headerEnd))) {
    encoding = 'latin1';
    text = buf.toString('latin1', start, headerEnd);
  }

  const firstEol = text.indexOf('\n');
  const startLine = stripCr(firstEol < 0 ? text : text.slice(0, firstEol));
  const isResponse = startLine.length > 4 && startLine.slice(0, 4).toUpperCase() === 'SIP/';
  let headers: Headers | undefined;
  try {
    if (CONTROL.test(text)) throw new SipParseError('Bad header line: control character');
    headers = new Headers(firstEol < 0 ? [] : splitHeaderLines(text, firstEol + 1));
    const body = options.headersOnly
      ? Buffer.alloc(0)
      : frameBody(buf, headers, bodyStart, options.stream === true);
    const message = isResponse
      ? parseStatusLine(startLine, headers, body, encoding)
      : parseRequestLine(startLine, headers, body, encoding);
    checkTransactionHeaders(message);
    return message;
  } catch (err) {
    if (err instanceof SipParseError) {
      err.kind = isResponse ? 'response' : 'request';
      // A bad header line: the well-formed lines still let a request be answered (§21.4.1).
      err.headers =
        headers ?? (firstEol < 0 ? undefined : new Headers(splitHeaderLines(text, firstEol + 1, true)));
    }
    throw err;
  }
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/**
 * RFC 3261 §7.3.1: header lines, with folded continuation lines joined. `lenient`: lines that
 * are not header lines are skipped instead of refused (what is left serves to answer with 400).
 */
function splitHeaderLines(text: string, from: number, lenient = false): HeaderField[] {
  const fields: { key: string; name: string; value: string; raw: string }[] = [];
  const length = text.length;
  let pos = from;
  while (pos < length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = length;
    const lineEnd = text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    const lineStart = pos;
    pos = eol + 1;
    if (isWs(text.charCodeAt(lineStart))) {
      const prev = fields[fields.length - 1];
      if (!prev) {
        if (lenient) continue;
        throw new SipParseError('Bad header line: continuation without a header');
      }
      const line = text.slice(lineStart, lineEnd);
      const more = line.trim();
      prev.raw += `\r\n${line}`;
      if (more.length) prev.value = prev.value.length ? `${prev.value} ${more}` : more;
      continue;
    }
    const colon = text.indexOf(':', lineStart);
    let nameEnd = colon;
    while (nameEnd > lineStart && isWs(text.charCodeAt(nameEnd - 1))) nameEnd--;
    if (colon < 0 || colon >= lineEnd || nameEnd === lineStart) {
      if (lenient) continue;
      throw new SipParseError('Bad header line: no header name');
    }
    let key: string;
    let name: string;
    const known = findKnownSpelling(text, lineStart, nameEnd);
    if (known) {
      key = known.key;
      name = known.spelling;
    } else {
      let badName = false;
      for (let i = lineStart; i < nameEnd && !badName; i++) badName = !isTokenChar(text.charCodeAt(i));
      if (badName) {
        if (lenient) continue;
        throw new SipParseError('Bad header line: invalid header name');
      }
      name = text.slice(lineStart, nameEnd);
      key = headerKey(name);
    }
    let vs = colon + 1;
    while (vs < lineEnd && isWs(text.charCodeAt(vs))) vs++;
    let ve = lineEnd;
    while (ve > vs && isWs(text.charCodeAt(ve - 1))) ve--;
    fields.push({ key, name, value: text.slice(vs, ve), raw: text.slice(lineStart, lineEnd) });
  }
  return fields;
}

/** RFC 3261 §18.3 and §20.14: the body is Content-Length bytes after the empty line. */
function frameBody(buf: Buffer, headers: Headers, bodyStart: number, stream: boolean): Buffer {
  let length: number | undefined;
  for (const f of headers.fieldsOf('Content-Length')) {
    const n = parseUint(f.value);
    if (n < 0) throw new SipParseError('Bad Content-Length header', 'Content-Length');
    if (length !== undefined && n !== length) {
      throw new SipParseError('Conflicting Content-Length headers', 'Content-Length');
    }
    length = n;
  }
  const available = buf.length - bodyStart;
  if (length === undefined) {
    if (stream) throw new SipParseError('Missing Content-Length on a stream transport', 'Content-Length');
    return buf.subarray(bodyStart);
  }
  if (length > available) throw new SipParseError('Content-Length larger than body', 'Content-Length');
  // RFC 3261 §18.3: octets beyond Content-Length in a datagram are discarded.
  return buf.subarray(bodyStart, bodyStart + length);
}

const VERSION = /^SIP\/(\d+)\.(\d+)$/i;

function checkVersion(version: string): void {
  const m = VERSION.exec(version);
  if (!m) throw new SipParseError('Bad SIP version');
  // RFC 3261 §21.5.6: 505 (Version Not Supported) for a request of another major version
  if (Number(m[1]) !== 2 || Number(m[2]) !== 0)
    throw new SipParseError('Version Not Supported', undefined, 505);
}

/** RFC 3261 §7.1 and §25.1: `Method SP Request-URI SP SIP-Version`, single spaces exactly. */
function parseRequestLine(line: string, headers: Headers, body: Buffer, enc: 'utf8' | 'latin1'): SipRequest {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || /[\t\r\n]/.test(line)) {
    throw new SipParseError('Bad Request-Line');
  }
  const method = line.slice(0, sp1);
  if (!isToken(method)) throw new SipParseError('Bad Request-Line: invalid method');
  const uriText = line.slice(sp1 + 1, sp2);
  if (uriText.length === 0) throw new SipParseError('Bad Request-Line: empty Request-URI');
  checkVersion(line.slice(sp2 + 1));
  let uri: ReturnType<typeof parseUri>;
  try {
    uri = parseUri(uriText);
  } catch (err) {
    if (err instanceof SipParseError) throw new SipParseError(`Bad Request-URI: ${err.reason}`);
    throw err;
  }
  // RFC 3261 §19.1.1 (table of §19.1.1): headers are not allowed in a Request-URI.
  if ('headers' in uri && uri.headers.size > 0)
    throw new SipParseError('Bad Request-URI: headers not allowed');
  return new SipRequest(method, uri, headers, body, enc);
}

/** RFC 3261 §7.2: `SIP-Version SP Status-Code SP Reason-Phrase`. */
function parseStatusLine(line: string, headers: Headers, body: Buffer, enc: 'utf8' | 'latin1'): SipResponse {
  const sp1 = line.indexOf(' ');
  if (sp1 < 0) throw new SipParseError('Bad Status-Line');
  checkVersion(line.slice(0, sp1));
  const rest = line.slice(sp1 + 1);
  const code = rest.slice(0, 3);
  const status = /^[1-6]\d\d$/.test(code) ? Number(code) : -1;
  // Reason-Phrase may be empty (RFC 4475 §3.1.1.13) but must follow a SP.
  if (status < 0 || (rest.length > 3 && rest.charCodeAt(3) !== 32))
    throw new SipParseError('Bad Status-Line: status code');
  return new SipResponse(status, rest.slice(4), headers, body, enc);
}

/**
 * The headers a transaction needs are parsed at once (RFC 3261 §16.3 step 1: "well-formed
 * enough to be handled with a server transaction"): RFC 3261 §8.1.1 makes To, From, CSeq,
 * Call-ID and Via mandatory, and §7.3.1 allows them (and Max-Forwards) once only
 * (RFC 4475 §3.3.1 insuf, §3.3.8 multi01: 400). One pass over the fields counts them.
 */
function checkTransactionHeaders(m: SipRequest | SipResponse): void {
  const h = m.headers;
  let to = 0;
  let from = 0;
  let cseqs = 0;
  let callIds = 0;
  let vias = 0;
  let maxForwards = 0;
  for (const f of h) {
    switch (f.key) {
      case 'To':
        to++;
        break;
      case 'From':
        from++;
        break;
      case 'CSeq':
        cseqs++;
        break;
      case 'Call-ID':
        callIds++;
        break;
      case 'Via':
        vias++;
        break;
      case 'Max-Forwards':
        maxForwards++;
        break;
    }
  }
  if (to === 0 || from === 0 || cseqs === 0 || callIds === 0 || vias === 0) {
    const missing: string[] = [];
    if (to === 0) missing.push('To');
    if (from === 0) missing.push('From');
    if (cseqs === 0) missing.push('CSeq');
    if (callIds === 0) missing.push('Call-ID');
    if (vias === 0) missing.push('Via');
    const reason =
      missing.length === 1 ? `Missing ${missing[0]} header` : `Missing ${missing.join(', ')} headers`;
    throw new SipParseError(reason, missing[0]);
  }
  if (to > 1) throw new SipParseError('Multiple To headers', 'To');
  if (from > 1) throw new SipParseError('Multiple From headers', 'From');
  if (cseqs > 1) throw new SipParseError('Multiple CSeq headers', 'CSeq');
  if (callIds > 1) throw new SipParseError('Multiple Call-ID headers', 'Call-ID');
  if (maxForwards > 1) throw new SipParseError('Multiple Max-Forwards headers', 'Max-Forwards');
  h.parsed(VIA);
  const cseq = h.first(CSEQ);
  if (cseq && m.isRequest && cseq.method !== (m as SipRequest).method) {
    throw new SipParseError('CSeq method does not match the request method', 'CSeq');
  }
  h.first(CALL_ID);
  h.first(FROM);
  h.first(TO);
  h.first(MAX_FORWARDS);
}
