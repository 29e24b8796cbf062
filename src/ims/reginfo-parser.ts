/**
 * Reads a reginfo document (RFC 3680 §5.1, schema §5.4). Namespaces are resolved: only elements
 * of urn:ietf:params:xml:ns:reginfo are read, whatever their prefix; elements of other
 * namespaces (the RFC 5628 GRUU extension among them) and prefixed attributes are ignored, as
 * the schema's `xs:any namespace="##other"` allows. Required attributes and enumerations are
 * checked; a DOCTYPE is refused (no entity expansion from the document).
 */
import { ReginfoError } from './reginfo-error.ts';
import {
  CONTACT_EVENTS,
  CONTACT_STATES,
  checkEnum,
  REGINFO_NAMESPACE,
  REGINFO_STATES,
  REGISTRATION_STATES,
  type Reginfo,
  type ReginfoContact,
  type ReginfoRegistration,
} from './reginfo-model.ts';
import { readXml, type XmlElement, XmlSyntaxError } from './xml-reader.ts';

/** An element with its namespace resolved. */
interface Element {
  namespace: string | undefined;
  local: string;
  path: string;
  /** Attributes without a prefix (those of the element itself, RFC 3680 §5.4). */
  attributes: Map<string, string>;
  children: Element[];
  text: string;
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Parses an application/reginfo+xml body; throws ReginfoError saying what is wrong. */
export function parseReginfo(xml: string): Reginfo {
  if (typeof xml !== 'string') throw new ReginfoError('', 'the document must be a string');
  let root: Element;
  try {
    root = toElement(readXml(xml), new Map([['xml', XML_NAMESPACE]]), '', 0);
  } catch (err) {
    if (err instanceof XmlSyntaxError)
      throw new ReginfoError(
        '',
        err.reason === 'a DOCTYPE is not allowed' ? err.reason : `not well-formed XML: ${err.message}`,
      );
    throw err;
  }
  if (root.local !== 'reginfo' || root.namespace !== REGINFO_NAMESPACE)
    throw new ReginfoError(
      root.path,
      `the root element must be reginfo in namespace ${REGINFO_NAMESPACE} (RFC 3680 §5.4)`,
    );
  const registrations = reginfoChildren(root, 'registration').map(registration);
  return {
    version: unsignedLong(root, 'version', true)!,
    state: checkEnum(required(root, 'state'), REGINFO_STATES, root.path, 'state'),
    registrations,
  };
}

function registration(el: Element): ReginfoRegistration {
  return {
    aor: nonEmpty(el, 'aor', required(el, 'aor').trim()),
    id: nonEmpty(el, 'id', required(el, 'id')),
    state: checkEnum(required(el, 'state'), REGISTRATION_STATES, el.path, 'state'),
    contacts: reginfoChildren(el, 'contact').map(contact),
  };
}

function contact(el: Element): ReginfoContact {
  const uris = reginfoChildren(el, 'uri');
  if (uris.length === 0) throw new ReginfoError(`${el.path}/uri`, 'is required (RFC 3680 §5.4)');
  if (uris.length > 1) throw new ReginfoError(uris[1]!.path, 'uri may appear only once');
  const names = reginfoChildren(el, 'display-name');
  if (names.length > 1) throw new ReginfoError(names[1]!.path, 'display-name may appear only once');
  const out: ReginfoContact = {
    id: nonEmpty(el, 'id', required(el, 'id')),
    state: checkEnum(required(el, 'state'), CONTACT_STATES, el.path, 'state'),
    event: checkEnum(required(el, 'event'), CONTACT_EVENTS, el.path, 'event'),
    // xs:anyURI collapses white space.
    uri: nonEmpty(uris[0]!, 'uri', uris[0]!.text.trim()),
  };
  if (names[0] !== undefined) out.displayName = names[0].text;
  const expires = unsignedLong(el, 'expires');
  if (expires !== undefined) out.expires = expires;
  const retryAfter = unsignedLong(el, 'retry-after');
  if (retryAfter !== undefined) out.retryAfter = retryAfter;
  const durationRegistered = unsignedLong(el, 'duration-registered');
  if (durationRegistered !== undefined) out.durationRegistered = durationRegistered;
  const q = el.attributes.get('q');
  if (q !== undefined) out.q = q;
  const callId = el.attributes.get('callid');
  if (callId !== undefined) out.callId = callId;
  const cseq = unsignedLong(el, 'cseq');
  if (cseq !== undefined) out.cseq = cseq;
  const params = reginfoChildren(el, 'unknown-param');
  if (params.length > 0)
    out.unknownParams = params.map((p) => {
      const name = nonEmpty(p, 'name', required(p, 'name'));
      // RFC 3680 §5.1: an empty element is a parameter without a value.
      return p.text === '' ? { name } : { name, value: p.text };
    });
  return out;
}

/** The children of `el` in the reginfo namespace named `local`; other namespaces are skipped. */
function reginfoChildren(el: Element, local: string): Element[] {
  return el.children.filter((c) => c.namespace === REGINFO_NAMESPACE && c.local === local);
}

function required(el: Element, name: string): string {
  const v = el.attributes.get(name);
  if (v === undefined) throw new ReginfoError(el.path, `attribute ${name} is required (RFC 3680 §5.4)`);
  return v;
}

function nonEmpty(el: Element, name: string, value: string): string {
  if (value === '') throw new ReginfoError(el.path, `${name} must not be empty`);
  return value;
}

/** An xs:unsignedLong / xs:nonNegativeInteger attribute (white space collapsed). */
function unsignedLong(el: Element, name: string, isRequired = false): number | undefined {
  const raw = isRequired ? required(el, name) : el.attributes.get(name);
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const n = Number(text);
  if (!/^\+?\d+$/.test(text) || !Number.isSafeInteger(n))
    throw new ReginfoError(
      el.path,
      `attribute ${name} must be a non-negative integer, not ${JSON.stringify(raw)}`,
    );
  return n;
}

/** An element with its namespace prefixes resolved in `scope`; `index` counts its same-named siblings. */
function toElement(node: XmlElement, scope: Map<string, string>, parentPath: string, index: number): Element {
  let inner = scope;
  const attributes = new Map<string, string>();
  for (const [name, value] of node.attributes) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(name === 'xmlns' ? '' : name.slice(6), value);
    } else if (!name.includes(':')) attributes.set(name, value);
  }
  const qname = node.name;
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  const namespace = inner.get(prefix) || undefined;
  const path = parentPath === '' ? local : `${parentPath}/${local}[${index}]`;
  if (prefix !== '' && namespace === undefined)
    throw new ReginfoError(path, `namespace prefix ${prefix} is not declared`);
  const counts = new Map<string, number>();
  const children = node.children.map((child) => {
    const c = child.name.indexOf(':');
    const childLocal = c < 0 ? child.name : child.name.slice(c + 1);
    const i = counts.get(childLocal) ?? 0;
    counts.set(childLocal, i + 1);
    return toElement(child, inner, path, i);
  });
  return { namespace, local, path, attributes, children, text: node.text };
}
