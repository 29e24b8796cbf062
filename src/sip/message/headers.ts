import { SipParseError } from './errors.ts';
import { headerKey, isListHeader } from './header-table.ts';
import { splitList } from './lex.ts';

/** One header field line (possibly folded) of a message. */
export interface HeaderField {
  /** Index key: canonical name for known headers, lowercased name otherwise. */
  readonly key: string;
  /** Name as written on the wire, or canonical when set through the API. */
  readonly name: string;
  /** Value with folding replaced by a space and surrounding white space removed. */
  readonly value: string;
  /** Exact text of the field as received (folds kept, final CRLF not), while unmodified. */
  readonly raw?: string;
}

/** How to turn one header value into a typed object; parsers throw SipParseError. */
export interface HeaderSpec<T> {
  /** Canonical name of the header. */
  readonly name: string;
  parse(value: string): T;
}

/**
 * The header fields of a message in their order. Values are parsed only when asked for,
 * and cached until the header changes: a proxy forwarding a field never parses it, and an
 * unmodified field is serialized byte for byte as it arrived.
 */
export class Headers implements Iterable<HeaderField> {
  private fields: HeaderField[];
  private cache: Map<string, unknown[]> | undefined;

  constructor(fields: HeaderField[] = []) {
    this.fields = fields;
  }

  /** Builds headers from name/value pairs, in order. */
  static from(pairs: Iterable<readonly [string, string]>): Headers {
    const h = new Headers();
    for (const [name, value] of pairs) h.append(name, value);
    return h;
  }

  [Symbol.iterator](): Iterator<HeaderField> {
    return this.fields[Symbol.iterator]();
  }

  get size(): number {
    return this.fields.length;
  }

  has(name: string): boolean {
    return this.firstField(headerKey(name)) !== undefined;
  }

  /** Value of the first field with this name (the whole field, not split). */
  get(name: string): string | undefined {
    return this.firstField(headerKey(name))?.value;
  }

  private firstField(key: string): HeaderField | undefined {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) if (fields[i]!.key === key) return fields[i];
    return undefined;
  }

  /** All fields with this name. */
  fieldsOf(name: string): HeaderField[] {
    const key = headerKey(name);
    return this.fields.filter((f) => f.key === key);
  }

  /**
   * All values of a header in order. Fields of list headers are split on their separating
   * commas (RFC 3261 §7.3.1); other headers give one value per field.
   */
  values(name: string): string[] {
    return this.valuesOf(headerKey(name));
  }

  private valuesOf(key: string): string[] {
    const list = isListHeader(key);
    const out: string[] = [];
    for (const f of this.fields) {
      if (f.key !== key) continue;
      if (!list) {
        out.push(f.value);
        continue;
      }
      const parts = splitList(f.value);
      if (!parts) throw new SipParseError(`Bad ${key} header: empty value in list`, key);
      for (const p of parts) out.push(p);
    }
    return out;
  }

  /** Typed values of a header, parsed once and cached until the header changes. */
  parsed<T>(spec: HeaderSpec<T>): T[] {
    // Spec names are canonical, so they are their own keys.
    const key = spec.name;
    const cached = this.cache?.get(key);
    if (cached) return cached as T[];
    const values = this.valuesOf(key);
    const out: T[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = spec.parse(values[i]!);
    (this.cache ??= new Map()).set(key, out);
    return out;
  }

  /** First typed value of a header, or undefined when the header is absent. */
  first<T>(spec: HeaderSpec<T>): T | undefined {
    return this.firstField(spec.name) === undefined ? undefined : this.parsed(spec)[0];
  }

  /** Replaces every field of this name by one field per value, where the first one was. */
  set(name: string, value: string | readonly string[]): this {
    const key = headerKey(name);
    const values = typeof value === 'string' ? [value] : value;
    const fresh = values.map((v) => field(key, v, wireName(key, name)));
    const at = this.fields.findIndex((f) => f.key === key);
    this.fields = this.fields.filter((f) => f.key !== key);
    this.fields.splice(at < 0 ? this.fields.length : at, 0, ...fresh);
    this.touch(key);
    return this;
  }

  /** Adds a field after all others. */
  append(name: string, value: string): this {
    const key = headerKey(name);
    this.fields.push(field(key, value, wireName(key, name)));
    this.touch(key);
    return this;
  }

  /**
   * Adds a field before the first field of the same name, or at the top when there is none:
   * how a proxy inserts its Via (RFC 3261 §16.6 step 8) and Record-Route (step 4).
   */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    this.fields.splice(at < 0 ? 0 : at, 0, field(key, value, wireName(key, name)));
    this.touch(key);
    return this;
  }

  /** Removes every field of this name; returns how many were removed. */
  delete(name: string): number {
    const key = headerKey(name);
    const before = this.fields.length;
    this.fields = this.fields.filter((f) => f.key !== key);
    if (this.fields.length !== before) this.touch(key);
    return before - this.fields.length;
  }

  /**
   * Removes the first value of a header and returns it: the top Via of a response
   * (RFC 3261 §16.7 step 3) or the first Route (§16.4). A list field keeps its other values.
   */
  shift(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    if (at < 0) return undefined;
    const f = this.fields[at]!;
    const parts = isListHeader(key) ? splitList(f.value) : [f.value];
    if (!parts) throw new SipParseError(`Bad ${key} header: empty value in list`, key);
    const [first, ...rest] = parts;
    if (rest.length === 0) this.fields.splice(at, 1);
    else this.fields[at] = field(key, rest.join(', '), f.name);
    this.touch(key);
    return first;
  }

  /** A copy whose fields can be changed without touching this one. */
  clone(): Headers {
    return new Headers(this.fields.slice());
  }

  /**
   * `startLine`, the fields and the empty line, each ended by CRLF: the header section of a
   * message, built in one piece (one join, no chain of concatenations to flatten later).
   */
  wireText(startLine: string): string {
    const fields = this.fields;
    const lines: string[] = new Array(fields.length + 3);
    lines[0] = startLine;
    for (let i = 0; i < fields.length; i++) lines[i + 1] = lineOf(fields[i]!);
    lines[fields.length + 1] = '';
    lines[fields.length + 2] = '';
    return lines.join('\r\n');
  }

  /** The fields as wire text, each line ended by CRLF. */
  toString(): string {
    let out = '';
    for (const f of this.fields) out += `${lineOf(f)}\r\n`;
    return out;
  }

  private touch(key: string): void {
    this.cache?.delete(key);
  }
}

/** A field's line on the wire, without its CRLF: as received while unmodified. */
function lineOf(f: HeaderField): string {
  return f.raw ?? `${f.name}: ${f.value}`;
}

/** Known headers are written in canonical form; unknown ones as the caller spelled them. */
function wireName(key: string, name: string): string {
  return key === name.toLowerCase() ? name : key;
}

function field(key: string, value: string, name: string): HeaderField {
  if (/[\r\n]/.test(value)) throw new SipParseError(`Bad ${key} header: line break in value`, key);
  return { key, name, value: value.trim() };
}
