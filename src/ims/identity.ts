/**
 * IMS identities: public (IMPU, PSI; SIP or tel URI, TS 23.003 §13.4, §13.5) and private
 * (IMPI, an NAI, TS 23.003 §13.3). Normalisation gives the one spelling under which an
 * identity is stored and looked up.
 */
import {
  isSipUri,
  isTelUri,
  parseSipUri,
  parseTelUri,
  SipUri,
  type Uri,
  unescapeUriPart,
} from '../sip/message/uri.ts';
import { IdentityError } from './identity-error.ts';

/** TS 29.228 Annex E tIdentityType (PublicIdentity/Extension/IdentityType). */
export enum IdentityType {
  PUBLIC_USER_IDENTITY = 0,
  DISTINCT_PSI = 1,
  WILDCARDED_PSI = 2,
  /** An IMPU matched by a wildcarded IMPU, sent with that wildcard in WildcardedIMPU. */
  NON_DISTINCT_IMPU = 3,
  WILDCARDED_IMPU = 4,
}

/** TS 23.003 §13.5: the wildcarded part of a PSI (or IMPU) is a regular expression between '!'s. */
const WILDCARD_PART = /![^!]*!/g;
/** `sip:user@host` with plain characters (no '!': wildcards) and a lowercase host, or an E.164 `tel:` URI: nothing to change. */
const ALREADY_NORMAL =
  /^(?:sips?:[A-Za-z0-9_.~*'()+-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|tel:\+[1-9][0-9]{1,14})$/;
/** RFC 7542 §2.2 realm: dot-separated labels. */
const REALM = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const NAI_USER = /^[^\s\x00-\x1f\x7f@]+$/;

/** True when the identity holds a `!regex!` part, i.e. is a wildcarded PSI or IMPU. */
export function isWildcarded(identity: string): boolean {
  WILDCARD_PART.lastIndex = 0;
  return WILDCARD_PART.test(identity);
}

/** The URI scheme of a public identity, lowercased ('sip', 'sips', 'tel'), or undefined. */
export function publicIdentityScheme(identity: string): 'sip' | 'sips' | 'tel' | undefined {
  const scheme = identity.slice(0, identity.indexOf(':')).toLowerCase();
  return scheme === 'sip' || scheme === 'sips' || scheme === 'tel' ? scheme : undefined;
}

/** E.164 number in the global form of RFC 3966 §5.1.4: '+', country code, at most 15 digits. */
export function isE164(number: string): boolean {
  return /^\+[1-9][0-9]{1,14}$/.test(number);
}

/**
 * The stored form of a public identity:
 * - SIP URI: lowercase scheme and host, user part with only the escapes it needs, port kept;
 *   URI parameters and headers dropped (an identity is `sip:user@domain`, TS 23.003 §13.4).
 * - tel URI: a global number (RFC 3966 §5.1.4) without visual separators; TS 23.003 §13.4b
 *   wants E.164 numbers, so local numbers (phone-context) are refused.
 * - Wildcarded identities (TS 23.003 §13.5): scheme and host lowercased, the rest as written,
 *   each `!regex!` part checked to be a regular expression.
 * Throws IdentityError.
 */
export function normalizePublicIdentity(text: string): string {
  // Fast path: forms that are already normalised (bulk provisioning goes through here).
  if (ALREADY_NORMAL.test(text)) return text;
  const identity = text.trim();
  const scheme = publicIdentityScheme(identity);
  if (scheme === undefined) throw new IdentityError('a public identity is a sip:, sips: or tel: URI', text);
  if (isWildcarded(identity)) return normalizeWildcarded(identity, scheme, text);
  try {
    if (scheme === 'tel') {
      if (identity.charAt(4) !== '+')
        throw new IdentityError('a tel public identity must be a global number (+E.164)', text);
      const tel = parseTelUri(identity);
      if (!tel.isGlobal)
        throw new IdentityError('a tel public identity must be a global number (+E.164)', text);
      if (!isE164(tel.number)) throw new IdentityError('a tel public identity must be an E.164 number', text);
      const params = [...tel.params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `tel:${tel.number}${params.map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`)).join('')}`;
    }
    const sip = parseSipUri(identity);
    if (sip.password !== undefined) throw new IdentityError('a public identity has no password part', text);
    const user = sip.user === undefined ? undefined : unescapeUriPart(sip.user);
    const host = sip.host.toLowerCase();
    return new SipUri({ scheme: sip.scheme, host, port: sip.port, ...(user ? { user } : {}) }).toString();
  } catch (err) {
    if (err instanceof IdentityError) throw err;
    throw new IdentityError(`not a valid ${scheme} URI: ${(err as Error).message}`, text);
  }
}

function normalizeWildcarded(identity: string, scheme: 'sip' | 'sips' | 'tel', text: string): string {
  for (const part of identity.match(WILDCARD_PART) ?? []) {
    try {
      new RegExp(part.slice(1, -1));
    } catch {
      throw new IdentityError(`wildcard ${part} is not a valid regular expression`, text);
    }
  }
  // The rest must be a valid URI once each wildcard stands for a plain character.
  const skeleton = identity.replace(WILDCARD_PART, scheme === 'tel' ? '0' : 'w');
  try {
    if (scheme === 'tel') {
      if (!parseTelUri(skeleton).isGlobal)
        throw new IdentityError('a tel public identity must be a global number', text);
      return `tel:${identity.slice(4)}`;
    }
    parseSipUri(skeleton);
  } catch (err) {
    if (err instanceof IdentityError) throw err;
    throw new IdentityError(`not a valid ${scheme} URI around the wildcard: ${(err as Error).message}`, text);
  }
  const rest = identity.slice(scheme.length + 1);
  const lastBang = rest.lastIndexOf('!');
  const atSign = rest.indexOf('@', lastBang + 1);
  if (atSign < 0) return `${scheme}:${rest}`;
  return `${scheme}:${rest.slice(0, atSign + 1)}${rest.slice(atSign + 1).toLowerCase()}`;
}

/** True for an IMPI in NAI form `username@realm` (TS 23.003 §13.3, RFC 7542). */
export function isPrivateIdentity(impi: string): boolean {
  const at = impi.lastIndexOf('@');
  return at > 0 && impi.length <= 255 && NAI_USER.test(impi.slice(0, at)) && REALM.test(impi.slice(at + 1));
}

/** The realm of an IMPI (`ims.test` of `alice@ims.test`), or undefined if it has none. */
export function privateIdentityRealm(impi: string): string | undefined {
  const at = impi.lastIndexOf('@');
  return at < 0 ? undefined : impi.slice(at + 1);
}

/**
 * The IMPI a subscriber gets when none is given: the user part and host of a SIP IMPU
 * (`sip:alice@ims.test` → `alice@ims.test`, the TS 23.003 §13.3 NAI form); for a tel IMPU
 * the number at `realm`. Throws IdentityError when no IMPI can be derived.
 */
export function defaultPrivateIdentity(impu: string, realm?: string): string {
  const normalized = normalizePublicIdentity(impu);
  if (isWildcarded(normalized))
    throw new IdentityError('a wildcarded identity has no private identity', impu);
  if (normalized.startsWith('tel:')) {
    if (realm === undefined) throw new IdentityError('a tel identity needs a realm to form an IMPI', impu);
    return `${normalized.slice(4).split(';')[0]}@${realm}`;
  }
  const sip = parseSipUri(normalized);
  if (sip.user === undefined) throw new IdentityError('a SIP identity without a user part has no IMPI', impu);
  return `${unescapeUriPart(sip.user)}@${sip.host}`;
}

const compiled = new Map<string, RegExp>();

/**
 * The regular expression that a wildcarded identity stands for (TS 23.003 §13.5): the text
 * outside the '!' delimiters is literal, the text between them a regular expression; the whole
 * identity must match. Both sides are compared in their normalised form.
 */
export function wildcardPattern(wildcarded: string): RegExp {
  let re = compiled.get(wildcarded);
  if (re !== undefined) return re;
  const pieces = wildcarded.split('!');
  let source = '^';
  pieces.forEach((piece, i) => {
    // Even pieces are literal text, odd ones the regular expressions; an unpaired trailing '!' is literal.
    if (i % 2 === 1 && i < pieces.length - 1) source += `(?:${piece})`;
    else source += (i % 2 === 1 ? '!' : '') + piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  re = new RegExp(`${source}$`);
  if (compiled.size >= 1024) compiled.clear();
  compiled.set(wildcarded, re);
  return re;
}

/** True when `identity` (normalised) is one of those the wildcarded identity stands for. */
export function matchesWildcard(wildcarded: string, identity: string): boolean {
  return wildcardPattern(wildcarded).test(identity);
}

/** A telephone number rather than a user's SIP address: a tel URI, or a SIP URI with user=phone. */
export function isTelephoneNumber(uri: Uri): boolean {
  return isTelUri(uri) || (isSipUri(uri) && uri.param('user') === 'phone');
}

/**
 * The E.164 number of a tel URI or of a SIP URI with user=phone (RFC 3261 §19.1.6), without
 * visual separators; undefined for anything else. The S-CSCF sends these to ENUM (TS 24.229
 * §5.4.3.2 step 10); the I-CSCF looks them up as tel URIs (TS 23.228 §5.15).
 */
export function e164Of(uri: Uri): string | undefined {
  let number: string | undefined;
  if (isTelUri(uri)) number = uri.isGlobal ? uri.number : undefined;
  else if (isSipUri(uri) && uri.param('user') === 'phone' && uri.user !== undefined)
    number = uri.unescapedUser?.split(';')[0]?.replace(/[-.()]/g, '');
  return number !== undefined && isE164(number) ? number : undefined;
}
