/**
 * Header names as data: canonical spelling, compact form (RFC 3261 §7.3.3 and the IANA SIP
 * parameters registry) and whether the grammar allows several values separated by commas in
 * one field (RFC 3261 §7.3.1). Headers not listed here are opaque: kept as written, never split.
 */
interface HeaderName {
  name: string;
  compact?: string;
  /** `header = name HCOLON value *(COMMA value)` in its grammar. */
  list?: true;
}

const TABLE: readonly HeaderName[] = [
  // RFC 3261 §20
  { name: 'Accept', list: true },
  { name: 'Accept-Encoding', list: true },
  { name: 'Accept-Language', list: true },
  { name: 'Alert-Info', list: true },
  { name: 'Allow', list: true },
  { name: 'Authentication-Info' },
  { name: 'Authorization' },
  { name: 'Call-ID', compact: 'i' },
  { name: 'Call-Info', list: true },
  { name: 'Contact', compact: 'm', list: true },
  { name: 'Content-Disposition' },
  { name: 'Content-Encoding', compact: 'e', list: true },
  { name: 'Content-Language', list: true },
  { name: 'Content-Length', compact: 'l' },
  { name: 'Content-Type', compact: 'c' },
  { name: 'CSeq' },
  { name: 'Date' },
  { name: 'Error-Info', list: true },
  { name: 'Expires' },
  { name: 'From', compact: 'f' },
  { name: 'In-Reply-To', list: true },
  { name: 'Max-Forwards' },
  { name: 'Min-Expires' },
  { name: 'MIME-Version' },
  { name: 'Organization' },
  { name: 'Priority' },
  { name: 'Proxy-Authenticate' },
  { name: 'Proxy-Authorization' },
  { name: 'Proxy-Require', list: true },
  { name: 'Record-Route', list: true },
  { name: 'Reply-To' },
  { name: 'Require', list: true },
  { name: 'Retry-After' },
  { name: 'Route', list: true },
  { name: 'Server' },
  { name: 'Subject', compact: 's' },
  { name: 'Supported', compact: 'k', list: true },
  { name: 'Timestamp' },
  { name: 'To', compact: 't' },
  { name: 'Unsupported', list: true },
  { name: 'User-Agent' },
  { name: 'Via', compact: 'v', list: true },
  { name: 'Warning', list: true },
  { name: 'WWW-Authenticate' },
  // RFC 3265/6665 events, RFC 3515 REFER, RFC 3891/3892
  { name: 'Event', compact: 'o' },
  { name: 'Allow-Events', compact: 'u', list: true },
  { name: 'Subscription-State' },
  { name: 'Refer-To', compact: 'r' },
  { name: 'Referred-By', compact: 'b' },
  { name: 'Replaces' },
  // RFC 3262 reliable provisional responses, RFC 4028 session timers
  { name: 'RSeq' },
  { name: 'RAck' },
  { name: 'Session-Expires', compact: 'x' },
  { name: 'Min-SE' },
  // RFC 3841 caller preferences, RFC 3326 Reason, RFC 3323 Privacy, RFC 7044 History-Info
  { name: 'Accept-Contact', compact: 'a', list: true },
  { name: 'Reject-Contact', compact: 'j', list: true },
  { name: 'Request-Disposition', compact: 'd', list: true },
  { name: 'Reason', list: true },
  { name: 'Privacy' },
  { name: 'History-Info', list: true },
  // RFC 3327 Path, RFC 3608 Service-Route, RFC 3329 security agreement
  { name: 'Path', list: true },
  { name: 'Service-Route', list: true },
  { name: 'Security-Client', list: true },
  { name: 'Security-Server', list: true },
  { name: 'Security-Verify', list: true },
  // RFC 7315 (3GPP P-headers), RFC 3325 asserted identity, RFC 8498 P-Served-User
  { name: 'P-Asserted-Identity', list: true },
  { name: 'P-Preferred-Identity', list: true },
  { name: 'P-Associated-URI', list: true },
  { name: 'P-Called-Party-ID' },
  { name: 'P-Visited-Network-ID', list: true },
  { name: 'P-Access-Network-Info', list: true },
  { name: 'P-Charging-Vector' },
  { name: 'P-Charging-Function-Addresses' },
  { name: 'P-Served-User' },
  { name: 'P-Preferred-Service', list: true },
  { name: 'P-Asserted-Service', list: true },
  // RFC 6086 INFO packages, RFC 6809 Feature-Caps, RFC 4488 Refer-Sub, RFC 3903 PUBLISH
  { name: 'Recv-Info', list: true },
  { name: 'Info-Package' },
  { name: 'Feature-Caps', list: true },
  { name: 'Refer-Sub' },
  { name: 'SIP-ETag' },
  { name: 'SIP-If-Match' },
  // RFC 5626 outbound
  { name: 'Flow-Timer' },
];

const byLower = new Map<string, HeaderName>();
/** Exact spellings seen on the wire resolved without lowercasing (the common case). */
const byExact = new Map<string, HeaderName>();
for (const h of TABLE) {
  byLower.set(h.name.toLowerCase(), h);
  byExact.set(h.name, h);
  if (h.compact) {
    byLower.set(h.compact, h);
    byExact.set(h.compact, h);
  }
}

/**
 * The key a header is indexed by: its canonical name for known headers (case-insensitive,
 * compact forms expanded: RFC 3261 §7.3.3, §7.3.5), its lowercased name otherwise.
 */
export function headerKey(name: string): string {
  const exact = byExact.get(name);
  if (exact !== undefined) return exact.name;
  const lower = name.toLowerCase();
  return byLower.get(lower)?.name ?? lower;
}

/** True if the header (given by its key) is a comma-separated list of values in its grammar. */
export function isListHeader(key: string): boolean {
  return byExact.get(key)?.list === true;
}

/** Compact form of a header given by its key, if it has one. */
export function compactHeaderName(key: string): string | undefined {
  return byExact.get(key)?.compact;
}

/** A spelling of a known header name as commonly written, and its key. */
export interface KnownSpelling {
  readonly spelling: string;
  readonly key: string;
}

/** Known spellings by first character, to look names up in a message without slicing them. */
const byFirstChar: KnownSpelling[][] = [];
for (const h of TABLE) {
  const spellings = [
    h.name,
    h.name.toLowerCase(),
    ...(h.compact ? [h.compact, h.compact.toUpperCase()] : []),
  ];
  for (const spelling of new Set(spellings)) {
    const c = spelling.charCodeAt(0);
    (byFirstChar[c] ??= []).push({ spelling, key: h.name });
  }
}

/**
 * The known header written at text[start, end) in its canonical, lowercase or compact
 * spelling (the parser's fast path); undefined for any other spelling or an unknown header.
 */
export function findKnownSpelling(text: string, start: number, end: number): KnownSpelling | undefined {
  const candidates = byFirstChar[text.charCodeAt(start)];
  if (!candidates) return undefined;
  const length = end - start;
  for (let i = 0; i < candidates.length; i++) {
    const k = candidates[i]!;
    if (k.spelling.length === length && text.startsWith(k.spelling, start)) return k;
  }
  return undefined;
}
