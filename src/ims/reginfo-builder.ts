/**
 * Writes a reginfo document (RFC 3680 §5.1, schema §5.4). Every value is checked first, so the
 * document built is valid against the schema; a wrong one → ReginfoError naming it.
 */
import { ReginfoError } from './reginfo-error.ts';
import {
  CONTACT_EVENTS,
  CONTACT_STATES,
  checkEnum,
  checkText,
  isUnsignedLong,
  REGINFO_NAMESPACE,
  REGINFO_STATES,
  REGISTRATION_STATES,
  type Reginfo,
  type ReginfoContact,
  type ReginfoRegistration,
} from './reginfo-model.ts';
import { XmlWriter } from './xml-writer.ts';

const INDENT = '  ';

/** The reginfo document as XML (declaration, default namespace, two-space indentation). */
export function buildReginfo(info: Reginfo): string {
  if (info === null || typeof info !== 'object') throw new ReginfoError('reginfo', 'must be an object');
  if (!isUnsignedLong(info.version))
    throw new ReginfoError('reginfo', 'version must be a non-negative integer (RFC 3680 §5.4)');
  const state = checkEnum(info.state, REGINFO_STATES, 'reginfo', 'state');
  if (!Array.isArray(info.registrations)) throw new ReginfoError('reginfo', 'registrations must be an array');
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const root = `reginfo${attrs([
    ['xmlns', REGINFO_NAMESPACE],
    ['version', String(info.version)],
    ['state', state],
  ])}`;
  if (info.registrations.length === 0) lines.push(`<${root}/>`);
  else {
    lines.push(`<${root}>`);
    info.registrations.forEach((r, i) => {
      registration(r, `reginfo/registration[${i}]`, lines);
    });
    lines.push('</reginfo>');
  }
  return `${lines.join('\n')}\n`;
}

function registration(r: ReginfoRegistration, path: string, lines: string[]): void {
  if (r === null || typeof r !== 'object') throw new ReginfoError(path, 'must be an object');
  const head = `registration${attrs([
    ['aor', checkText(r.aor, path, 'aor')],
    ['id', checkText(r.id, path, 'id')],
    ['state', checkEnum(r.state, REGISTRATION_STATES, path, 'state')],
  ])}`;
  if (!Array.isArray(r.contacts)) throw new ReginfoError(path, 'contacts must be an array');
  if (r.contacts.length === 0) {
    lines.push(`${INDENT}<${head}/>`);
    return;
  }
  lines.push(`${INDENT}<${head}>`);
  r.contacts.forEach((c, i) => {
    contact(c, `${path}/contact[${i}]`, lines);
  });
  lines.push(`${INDENT}</registration>`);
}

function contact(c: ReginfoContact, path: string, lines: string[]): void {
  if (c === null || typeof c !== 'object') throw new ReginfoError(path, 'must be an object');
  const list: [string, string][] = [
    ['id', checkText(c.id, path, 'id')],
    ['state', checkEnum(c.state, CONTACT_STATES, path, 'state')],
    ['event', checkEnum(c.event, CONTACT_EVENTS, path, 'event')],
  ];
  const number = (name: string, value: number | undefined) => {
    if (value === undefined) return;
    if (!isUnsignedLong(value)) throw new ReginfoError(path, `${name} must be a non-negative integer`);
    list.push([name, String(value)]);
  };
  const text = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    if (typeof value !== 'string') throw new ReginfoError(path, `${name} must be a string`);
    list.push([name, value]);
  };
  number('expires', c.expires);
  number('retry-after', c.retryAfter);
  number('duration-registered', c.durationRegistered);
  text('q', c.q);
  text('callid', c.callId);
  number('cseq', c.cseq);
  const inner = INDENT.repeat(3);
  lines.push(`${INDENT.repeat(2)}<contact${attrs(list, path)}>`);
  lines.push(`${inner}<uri>${escapeXml(checkText(c.uri, path, 'uri'), `${path}/uri`)}</uri>`);
  if (c.displayName !== undefined) {
    if (typeof c.displayName !== 'string') throw new ReginfoError(path, 'displayName must be a string');
    lines.push(`${inner}${leaf('display-name', c.displayName, `${path}/display-name`)}`);
  }
  if (c.unknownParams !== undefined) {
    if (!Array.isArray(c.unknownParams)) throw new ReginfoError(path, 'unknownParams must be an array');
    c.unknownParams.forEach((p, i) => {
      const at = `${path}/unknown-param[${i}]`;
      const name = attrs([['name', checkText(p?.name, at, 'name')]], at);
      if (p.value !== undefined && typeof p.value !== 'string')
        throw new ReginfoError(at, 'value must be a string');
      // RFC 3680 §5.1: a parameter without a value is an empty unknown-param element.
      lines.push(`${inner}${leaf(`unknown-param${name}`, p.value ?? '', at, 'unknown-param')}`);
    });
  }
  lines.push(`${INDENT.repeat(2)}</contact>`);
}

function leaf(head: string, text: string, path: string, name = head): string {
  return text === '' ? `<${head}/>` : `<${head}>${escapeXml(text, path)}</${name}>`;
}

function attrs(list: [string, string][], path = 'reginfo'): string {
  let out = '';
  for (const [name, value] of list) {
    // XML 1.0 §3.3.3: a literal tab or line break in an attribute reads back as a space.
    const escaped = escapeXml(value, `${path}@${name}`, true)
      .replaceAll('\n', '&#10;')
      .replaceAll('\t', '&#9;');
    out += ` ${name}="${escaped}"`;
  }
  return out;
}

function escapeXml(text: string, path: string, attribute = false): string {
  try {
    return XmlWriter.escape(text, attribute);
  } catch (err) {
    throw new ReginfoError(path, (err as Error).message);
  }
}
