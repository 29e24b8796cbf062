/**
 * A minimal writer for the element-only XML documents of this layer (TS 29.228 User-Data,
 * reginfo): elements and escaped text, no attributes beyond the root's, no namespaces.
 * Refuses text that XML 1.0 cannot carry (§2.2 Char), so a document built is always well formed.
 */
const NOT_XML_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;

export class XmlWriter {
  #out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  #open: string[] = [];
  readonly #indent: string | undefined;

  /** `indent`: a string to indent nested elements with (pretty output), or none for one line. */
  constructor(indent?: string) {
    this.#indent = indent;
  }

  /** Opens `<name>`; `attributes` only for the root (e.g. xmlns declarations). */
  open(name: string, attributes?: Record<string, string>): this {
    let attrs = '';
    for (const [k, v] of Object.entries(attributes ?? {})) attrs += ` ${k}="${XmlWriter.escape(v, true)}"`;
    this.#line(`<${name}${attrs}>`);
    this.#open.push(name);
    return this;
  }

  close(): this {
    const name = this.#open.pop();
    if (name === undefined) throw new Error('XmlWriter: close() without open()');
    this.#line(`</${name}>`);
    return this;
  }

  /** `<name>text</name>`, or `<name/>` for an empty string. */
  leaf(name: string, text: string | number | boolean): this {
    const value = typeof text === 'boolean' ? (text ? '1' : '0') : String(text);
    let escaped: string;
    try {
      escaped = XmlWriter.escape(value);
    } catch (err) {
      throw new RangeError(`<${name}>: ${(err as Error).message}`);
    }
    this.#line(value === '' ? `<${name}/>` : `<${name}>${escaped}</${name}>`);
    return this;
  }

  /** `leaf()` when the value is defined, nothing otherwise. */
  optional(name: string, text: string | number | boolean | undefined): this {
    return text === undefined ? this : this.leaf(name, text);
  }

  toString(): string {
    if (this.#open.length > 0) throw new Error(`XmlWriter: <${this.#open.at(-1)}> not closed`);
    return this.#out.join(this.#indent === undefined ? '' : '\n');
  }

  /** Escapes text content (and attribute values when `attribute`); throws on non-XML characters. */
  static escape(text: string, attribute = false): string {
    if (NOT_XML_CHAR.test(text)) throw new RangeError('text holds a character XML 1.0 cannot carry');
    let s = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    if (attribute) s = s.replaceAll('"', '&quot;');
    // XML 1.0 §2.11 would turn a literal CR into LF on reading: keep it as a reference.
    return s.includes('\r') ? s.replaceAll('\r', '&#13;') : s;
  }

  #line(s: string): void {
    this.#out.push(this.#indent === undefined ? s : this.#indent.repeat(this.#open.length) + s);
  }
}
