import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { parseUint } from './lex.ts';
import { NameAddr, parseNameAddr } from './name-addr.ts';

const H = 'Contact';

/**
 * A Contact value, RFC 3261 §20.10, with the registration parameters of RFC 3261 §10.2.1
 * (expires, q) and RFC 5626 §4.1 (+sip.instance, reg-id).
 */
export class Contact extends NameAddr {
  /** contact-params-expires, when present (delta-seconds). */
  get expires(): number | undefined {
    const v = this.param('expires');
    return v === undefined || v === null ? undefined : Number(v);
  }

  /** qvalue in [0, 1], when present. */
  get q(): number | undefined {
    const v = this.param('q');
    return v === undefined || v === null ? undefined : Number(v);
  }

  /** RFC 5626 §4.1: +sip.instance without its quotes and angle brackets (e.g. urn:uuid:...). */
  get instanceId(): string | undefined {
    const v = this.param('+sip.instance');
    if (v === undefined || v === null) return undefined;
    return v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1) : v;
  }

  /** RFC 5626 §4.2: reg-id. */
  get regId(): number | undefined {
    const v = this.param('reg-id');
    return v === undefined || v === null ? undefined : Number(v);
  }
}

/** `Contact: *` of a REGISTER removing every binding (RFC 3261 §10.2.2). */
export const STAR = '*';

function parseContact(value: string): Contact | typeof STAR {
  if (value === STAR) return STAR;
  const na = parseNameAddr(value, H);
  const c = new Contact(na.uriText, na.displayName, na.params, H);
  const expires = c.params.get('expires');
  // RFC 3261 §25.1: contact-params-expires = "expires" EQUAL delta-seconds
  if (expires !== undefined && (expires === null || parseUint(expires) < 0)) {
    throw new SipParseError('Bad Contact header: invalid expires', H);
  }
  const q = c.params.get('q');
  // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
  if (q !== undefined && (q === null || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(q))) {
    throw new SipParseError('Bad Contact header: invalid q', H);
  }
  const regId = c.params.get('reg-id');
  if (regId !== undefined && (regId === null || parseUint(regId) < 1)) {
    throw new SipParseError('Bad Contact header: invalid reg-id', H);
  }
  return c;
}

export const CONTACT: HeaderSpec<Contact | typeof STAR> = { name: H, parse: parseContact };
