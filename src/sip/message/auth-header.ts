import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { quote, scanQuoted, scanToken, skipWs, unquote } from './lex.ts';

/**
 * A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization,
 * Proxy-Authorization) value: RFC 3261 §25.1 and RFC 2617 §3.2, RFC 7616 §3.3-3.4.
 * `scheme LWS auth-param *(COMMA auth-param)`. Parameter names are lowercased; values are
 * unquoted. Several challenges or credentials come as several header fields, never one list.
 */
export interface AuthValue {
  /** Digest, or another scheme as written. */
  scheme: string;
  params: Record<string, string>;
}

/** RFC 2617 §3.2.2 and RFC 3310: parameters whose values are sent as tokens, not quoted. */
const UNQUOTED_IN_CREDENTIALS = new Set(['algorithm', 'nc', 'qop']);
const UNQUOTED_IN_CHALLENGE = new Set(['algorithm', 'stale']);

function bad(header: string, what: string): SipParseError {
  return new SipParseError(`Bad ${header} header: ${what}`, header);
}

function parseAuth(value: string, header: string): AuthValue {
  let i = skipWs(value, 0);
  const schemeEnd = scanToken(value, i);
  if (schemeEnd === i) throw bad(header, 'missing scheme');
  const scheme = value.slice(i, schemeEnd);
  const params: Record<string, string> = Object.create(null);
  i = skipWs(value, schemeEnd);
  while (i < value.length) {
    const nameEnd = scanToken(value, i);
    if (nameEnd === i) throw bad(header, 'bad parameter');
    const name = value.slice(i, nameEnd).toLowerCase();
    i = skipWs(value, nameEnd);
    if (value.charCodeAt(i) !== 61) throw bad(header, `parameter '${name}' without value`);
    i = skipWs(value, i + 1);
    let v: string;
    if (value.charCodeAt(i) === 34) {
      const end = scanQuoted(value, i);
      if (end < 0) throw bad(header, 'unterminated quoted string');
      v = unquote(value.slice(i, end));
      i = end;
    } else {
      const start = i;
      // token, plus the '/' and '=' of base64 values some clients send unquoted
      while (i < value.length && value.charCodeAt(i) !== 44 && value.charCodeAt(i) !== 32) i++;
      v = value.slice(start, i);
      if (v.length === 0) throw bad(header, `parameter '${name}' without value`);
    }
    params[name] = v;
    i = skipWs(value, i);
    if (i < value.length) {
      if (value.charCodeAt(i) !== 44) throw bad(header, `unexpected '${value[i]}'`);
      i = skipWs(value, i + 1);
    }
  }
  return { scheme, params };
}

/** Serializes a challenge or credentials, quoting values as RFC 2617/3310 write them. */
export function formatAuth(auth: AuthValue, kind: 'challenge' | 'credentials'): string {
  const unquoted = kind === 'challenge' ? UNQUOTED_IN_CHALLENGE : UNQUOTED_IN_CREDENTIALS;
  const parts: string[] = [];
  for (const [name, v] of Object.entries(auth.params))
    parts.push(`${name}=${unquoted.has(name) ? v : quote(v)}`);
  return parts.length ? `${auth.scheme} ${parts.join(', ')}` : auth.scheme;
}

function authSpec(name: string): HeaderSpec<AuthValue> {
  return { name, parse: (v) => parseAuth(v, name) };
}

export const WWW_AUTHENTICATE = authSpec('WWW-Authenticate');
export const PROXY_AUTHENTICATE = authSpec('Proxy-Authenticate');
export const AUTHORIZATION = authSpec('Authorization');
export const PROXY_AUTHORIZATION = authSpec('Proxy-Authorization');
/** RFC 3261 §20.6: `ainfo *(COMMA ainfo)` in one field. */
export const AUTHENTICATION_INFO: HeaderSpec<Record<string, string>> = {
  name: 'Authentication-Info',
  parse: (v) => parseAuth(`x ${v}`, 'Authentication-Info').params,
};
