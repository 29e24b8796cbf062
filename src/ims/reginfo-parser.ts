/**
 * Reads a reginfo document (RFC 3680 §5.1, schema §5.4). Namespaces are resolved: only elements
 * of urn:ietf:params:xml:ns:reginfo are read, whatever their prefix; elements of other
 * namespaces (the RFC 5628 GRUU extension among them) and prefixed attributes are ignored, as
 * the schema's `xs:any namespace="##other"` allows. Required attributes and enumerations are
 * checked; a DOCTYPE is refused (no entity expansion from the document).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
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

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Decodes character references (&#10;); the five XML entities are decoded in any case.
  htmlEntities: true,
  parseTagValue: false,
  trimValues: false,
});

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Parses an application/reginfo+xml body; throws ReginfoError saying what is wrong. */
export function parseReginfo(xml: string): Reginfo {
  if (typeof xml !== 'string') throw new ReginfoError('', 'the document must be a string');
  if (/<!DOCTYPE/i.test(xml)) throw new ReginfoError('', 'a DOCTYPE is not allowed');
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new ReginfoError(
      '',
      `not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`,
    );
  let top: Element[];
  try {
    top = toElements(parser.parse(xml) as unknown[], new Map([['xml', XML_NAMESPACE]]), '');
  } catch (err) {
    if (err instanceof ReginfoError) throw err;
    throw new ReginfoError('', `not well-formed XML: ${(err as Error).message}`);
  }
  if (top.length !== 1) throw new ReginfoError('', 'the document must have exactly one root element');
  const root = top[0]!;
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

/** Turns the parser's ordered nodes into elements, resolving namespace prefixes in scope. */
function toElements(nodes: unknown[], scope: Map<string, string>, parentPath: string): Element[] {
  const out: Element[] = [];
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const record = node as Record<string, unknown>;
    const raw = (record[':@'] ?? {}) as Record<string, unknown>;
    for (const [qname, value] of Object.entries(record)) {
      if (qname === '#text' || qname === ':@' || !Array.isArray(value)) continue;
      let inner = scope;
      const attributes = new Map<string, string>();
      for (const [name, v] of Object.entries(raw)) {
        const text = String(v);
        if (name === 'xmlns' || name.startsWith('xmlns:')) {
          if (inner === scope) inner = new Map(scope);
          inner.set(name === 'xmlns' ? '' : name.slice(6), text);
        } else if (!name.includes(':')) attributes.set(name, text);
      }
      const colon = qname.indexOf(':');
      const prefix = colon < 0 ? '' : qname.slice(0, colon);
      const local = colon < 0 ? qname : qname.slice(colon + 1);
      const namespace = inner.get(prefix) || undefined;
      const index = counts.get(local) ?? 0;
      counts.set(local, index + 1);
      const path = parentPath === '' ? local : `${parentPath}/${local}[${index}]`;
      if (prefix !== '' && namespace === undefined)
        throw new ReginfoError(path, `namespace prefix ${prefix} is not declared`);
      const text = value
        .map((n) => (n as Record<string, unknown>)['#text'])
        .filter((t) => t !== undefined)
        .join('');
      out.push({ namespace, local, path, attributes, children: toElements(value, inner, path), text });
    }
  }
  return out;
}
