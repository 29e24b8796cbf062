/**
 * multipart/mixed bodies, RFC 2046 §5.1 (as SIP uses them, RFC 5621): SDP beside an ISUP
 * message in SIP-I (ITU-T Q.1912.5), or SDP beside a PIDF-LO location. Part contents stay
 * Buffers from end to end: an `application/isup` part is binary and is never made a string.
 */
import { randomBytes } from 'node:crypto';
import { SipParseError } from '../errors.ts';

/** One body part: its MIME header fields and its content. */
export interface BodyPart {
  /**
   * Header fields of the part (Content-Type, Content-Disposition, Content-ID ...), names
   * lowercased (RFC 2045 §1: field names are case-insensitive), values unfolded and trimmed.
   */
  headers: Map<string, string>;
  /** The content, byte for byte; a view on the multipart body when parsed. */
  content: Buffer;
}

/** A formatted multipart body with the boundary it uses. */
export interface MultipartBody {
  body: Buffer;
  boundary: string;
  /** `multipart/mixed;boundary=...`, quoted when the boundary needs it. */
  contentType: string;
}

const bad = (what: string): SipParseError => new SipParseError(`Bad multipart body: ${what}`);
const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');
// RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
// RFC 2045 §5.1 token characters: boundaries of these alone need no quotes.
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const isLwsp = (b: number | undefined) => b === 32 || b === 9;

/** Checks a boundary against RFC 2046 §5.1.1. */
export function isValidBoundary(boundary: string): boolean {
  return BOUNDARY.test(boundary);
}

/**
 * After a dash-boundary at `at`: the index after `transport-padding CRLF` (another part
 * follows), -1 after `--` (close-delimiter), or undefined when this is no delimiter line.
 */
function afterDelimiter(body: Buffer, at: number): number | undefined {
  if (body[at] === 45 && body[at + 1] === 45) return -1;
  while (isLwsp(body[at])) at++; // transport-padding := *LWSP-char
  return body[at] === 13 && body[at + 1] === 10 ? at + 2 : undefined;
}

/**
 * Splits a multipart body (RFC 2046 §5.1.1). The preamble before the first dash-boundary and
 * the epilogue after the close-delimiter are ignored; a boundary string at the start of a line
 * but followed by something other than padding and CRLF or `--` is content.
 */
export function parseMultipart(body: Buffer, boundary: string): BodyPart[] {
  if (!isValidBoundary(boundary)) throw bad('invalid boundary');
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.concat([CRLF, dash]);
  // multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part ...
  let next: number | undefined;
  if (body.subarray(0, dash.length).equals(dash)) next = afterDelimiter(body, dash.length);
  for (let at = 0; next === undefined; ) {
    at = body.indexOf(delimiter, at);
    if (at < 0) throw bad('no boundary');
    at += delimiter.length;
    next = afterDelimiter(body, at);
  }
  if (next < 0) throw bad('no body part');
  const parts: BodyPart[] = [];
  for (let start = next; ; ) {
    // encapsulation := delimiter transport-padding CRLF body-part; ends with close-delimiter
    let at = start;
    let after: number | undefined;
    let end = -1;
    while (after === undefined) {
      end = body.indexOf(delimiter, at);
      if (end < 0) throw bad('no close delimiter');
      at = end + delimiter.length;
      after = afterDelimiter(body, at);
    }
    parts.push(parsePart(body.subarray(start, end)));
    if (after < 0) return parts;
    start = after;
  }
}

// body-part := MIME-part-headers [CRLF *OCTET]
function parsePart(part: Buffer): BodyPart {
  let headerEnd: number;
  let contentStart: number;
  if (part[0] === 13 && part[1] === 10) {
    headerEnd = 0;
    contentStart = 2;
  } else {
    headerEnd = part.indexOf(HEADERS_END);
    contentStart = headerEnd + 4;
    if (headerEnd < 0) headerEnd = contentStart = part.length; // header fields only
  }
  const headers = new Map<string, string>();
  // Field names and values are US-ASCII (RFC 2045 §3); latin1 keeps any stray byte as one char.
  const text = part.toString('latin1', 0, headerEnd);
  if (text.length > 0) {
    // RFC 5322 §2.2.3: a line starting with WSP continues the previous field (unfolding).
    for (const line of text.split(/\r\n(?![ \t])/)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      if (colon <= 0 || !/^[!-9;-~]+$/.test(name)) throw bad('invalid part header');
      headers.set(
        name.toLowerCase(),
        line
          .slice(colon + 1)
          .replace(/\r\n/g, '')
          .trim(),
      );
    }
  }
  return { headers, content: part.subarray(contentStart) };
}

/** `content-id` → `Content-ID`: the usual spelling of MIME field names. */
function fieldName(name: string): string {
  return name
    .split('-')
    .map((w) => (w === 'id' || w === 'md5' ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('-');
}

/**
 * Builds a multipart/mixed body. Without a boundary, a random one that occurs in no part is
 * chosen. Throws SipParseError when a given boundary is invalid or occurs in a part.
 */
export function formatMultipart(parts: readonly BodyPart[], boundary?: string): MultipartBody {
  if (parts.length === 0) throw bad('no body part');
  const occursIn = (b: string) => {
    const needle = Buffer.from(`--${b}`, 'latin1');
    return parts.some((p) => p.content.includes(needle));
  };
  if (boundary === undefined) {
    do boundary = `ims-${randomBytes(12).toString('hex')}`;
    while (occursIn(boundary));
  } else if (!isValidBoundary(boundary)) throw bad('invalid boundary');
  else if (occursIn(boundary)) throw bad('boundary occurs in a part');
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\n`;
    for (const [name, value] of part.headers) head += `${fieldName(name)}: ${value}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'latin1'), part.content, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  const quoted = TOKEN.test(boundary) ? boundary : `"${boundary}"`;
  return { body: Buffer.concat(chunks), boundary, contentType: `multipart/mixed;boundary=${quoted}` };
}

/**
 * The `boundary` parameter of a Content-Type value (RFC 2045 §5.1), quoted or not; undefined
 * when there is none. Throws SipParseError on an unterminated quoted string.
 */
export function boundaryFromContentType(value: string): string | undefined {
  const n = value.length;
  const skipWs = (i: number) => {
    while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++;
    return i;
  };
  // parameter := attribute "=" value; value := token / quoted-string
  for (let i = value.indexOf(';'); i >= 0; i = value.indexOf(';', i)) {
    i = skipWs(i + 1);
    const nameStart = i;
    while (i < n && !'=; \t'.includes(value.charAt(i))) i++;
    const name = value.slice(nameStart, i).toLowerCase();
    i = skipWs(i);
    if (value.charCodeAt(i) !== 61) continue;
    i = skipWs(i + 1);
    let v: string;
    if (value.charCodeAt(i) === 34) {
      const parts: string[] = [];
      let from = ++i;
      for (; ; i++) {
        if (i >= n) throw bad('unterminated quoted string in Content-Type');
        const c = value.charCodeAt(i);
        if (c === 34) break;
        if (c === 92) {
          // quoted-pair := "\" CHAR
          parts.push(value.slice(from, i));
          from = ++i;
        }
      }
      parts.push(value.slice(from, i++));
      v = parts.join('');
    } else {
      const from = i;
      while (i < n && !'; \t'.includes(value.charAt(i))) i++;
      v = value.slice(from, i);
    }
    if (name === 'boundary') return v;
  }
  return undefined;
}
