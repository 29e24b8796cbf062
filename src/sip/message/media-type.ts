import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { scanToken, skipWs } from './lex.ts';
import { formatParams, type Params, paramValue, parseParams } from './params.ts';

/** RFC 3261 §20.15: `media-type = m-type SLASH m-subtype *(SEMI m-parameter)`. */
export class MediaType {
  constructor(
    public type: string,
    public subtype: string,
    public params: Params = new Map(),
  ) {}

  /** `type/subtype` in lower case, for comparisons (media types are case-insensitive). */
  get essence(): string {
    return `${this.type}/${this.subtype}`.toLowerCase();
  }

  param(name: string): string | undefined {
    return paramValue(this.params, name) ?? undefined;
  }

  toString(): string {
    return `${this.type}/${this.subtype}${formatParams(this.params)}`;
  }

  static parse(value: string, header = 'Content-Type'): MediaType {
    const bad = () => new SipParseError(`Bad ${header} header`, header);
    let i = skipWs(value, 0);
    const typeEnd = scanToken(value, i);
    if (typeEnd === i) throw bad();
    const type = value.slice(i, typeEnd);
    i = skipWs(value, typeEnd);
    if (value.charCodeAt(i) !== 47) throw bad();
    i = skipWs(value, i + 1);
    const subEnd = scanToken(value, i);
    if (subEnd === i) throw bad();
    const subtype = value.slice(i, subEnd);
    const params: Params = new Map();
    i = parseParams(value, subEnd, params, header);
    if (skipWs(value, i) !== value.length) throw bad();
    return new MediaType(type, subtype, params);
  }
}

export const CONTENT_TYPE: HeaderSpec<MediaType> = { name: 'Content-Type', parse: (v) => MediaType.parse(v) };
/** RFC 3261 §20.1: Accept is a list of media ranges (`*` allowed as type or subtype). */
export const ACCEPT: HeaderSpec<MediaType> = { name: 'Accept', parse: (v) => MediaType.parse(v, 'Accept') };
