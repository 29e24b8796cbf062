import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { isWs, parseUint, scanToken, skipWs } from './lex.ts';
import { formatParams, type Params, paramValue, parseParams } from './params.ts';

const H = 'Via';

/** RFC 3261 §8.1.1.7: a branch beginning with this cookie was built by an RFC 3261 element. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/**
 * One Via value, RFC 3261 §20.42 and §18.2.1, with received/rport of RFC 3581.
 * `via-parm = sent-protocol LWS sent-by *( SEMI via-params )`.
 */
export class Via {
  constructor(
    /** Transport in upper case: UDP, TCP, TLS, SCTP, WS, WSS or any token. */
    public transport: string,
    public host: string,
    public port: number | undefined = undefined,
    public params: Params = new Map(),
    /** protocol-name "/" protocol-version, normally SIP/2.0. */
    public protocol = 'SIP/2.0',
  ) {}

  get branch(): string | undefined {
    return paramValue(this.params, 'branch') ?? undefined;
  }

  /** RFC 3261 §18.2.1: the source address, added when it differs from sent-by. */
  get received(): string | undefined {
    return paramValue(this.params, 'received') ?? undefined;
  }

  /**
   * RFC 3581 §4: `undefined` when absent, `null` when present without a value (the client
   * asks for it), the source port once the server has filled it in.
   */
  get rport(): number | null | undefined {
    const v = this.params.get('rport');
    if (v === undefined || v === null) return v;
    return Number(v);
  }

  get maddr(): string | undefined {
    return paramValue(this.params, 'maddr') ?? undefined;
  }

  get ttl(): number | undefined {
    const v = this.params.get('ttl');
    return v ? Number(v) : undefined;
  }

  /** sent-by as host[:port]. */
  get sentBy(): string {
    return this.port === undefined ? this.host : `${this.host}:${this.port}`;
  }

  toString(): string {
    return `${this.protocol}/${this.transport} ${this.sentBy}${formatParams(this.params)}`;
  }

  static parse(value: string): Via {
    return parseVia(value);
  }
}

function bad(what: string): SipParseError {
  return new SipParseError(`Bad Via header: ${what}`, H);
}

/** Parses `token SLASH token SLASH token`, with LWS allowed around the slashes. */
function parseSentProtocol(s: string, i: number): [string[], number] {
  const parts: string[] = [];
  for (let n = 0; n < 3; n++) {
    i = skipWs(s, i);
    if (n > 0) {
      if (s.charCodeAt(i) !== 47 /* / */) throw bad('sent-protocol');
      i = skipWs(s, i + 1);
    }
    const end = scanToken(s, i);
    if (end === i) throw bad('sent-protocol');
    parts.push(s.slice(i, end));
    i = end;
  }
  return [parts, i];
}

function isHostChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;
}

function parseVia(s: string): Via {
  const [[name, version, transport], afterProtocol] = parseSentProtocol(s, 0) as [string[], number];
  if (!isWs(s.charCodeAt(afterProtocol))) throw bad('no space before sent-by');
  let i = skipWs(s, afterProtocol);
  const hostStart = i;
  if (s.charCodeAt(i) === 91 /* [ */) {
    // RFC 3261 §25.1: IPv6reference = "[" IPv6address "]"
    const close = s.indexOf(']', i);
    if (close < 0) throw bad('unterminated IPv6 reference');
    for (let j = i + 1; j < close; j++) {
      const c = s.charCodeAt(j);
      if (!((c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46)) {
        throw bad('invalid IPv6 reference');
      }
    }
    i = close + 1;
  } else {
    while (i < s.length && isHostChar(s.charCodeAt(i))) i++;
  }
  if (i === hostStart) throw bad('missing host');
  const host = s.slice(hostStart, i);
  let port: number | undefined;
  i = skipWs(s, i);
  if (s.charCodeAt(i) === 58 /* : */) {
    i = skipWs(s, i + 1);
    const start = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    port = parseUint(s.slice(start, i), 65535);
    if (port < 0) throw bad('invalid port');
  }
  const params: Params = new Map();
  i = parseParams(s, i, params, H);
  if (skipWs(s, i) !== s.length) throw bad(`unexpected '${s[i]}'`);
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && parseUint(rport, 65535) < 0) throw bad('invalid rport');
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || parseUint(ttl, 255) < 0)) throw bad('invalid ttl');
  const branch = params.get('branch');
  if (branch === null) throw bad('branch without value');
  return new Via(transport!.toUpperCase(), host, port, params, `${name}/${version}`);
}

export const VIA: HeaderSpec<Via> = { name: H, parse: parseVia };
