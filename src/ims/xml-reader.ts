/**
 * A small, strict XML 1.0 reader for the documents the core reads on its hot paths (reginfo
 * NOTIFY bodies, Cx User-Data): one pass over the text, checking well-formedness (XML 1.0 §2.1:
 * one root, matching tags, quoted and unique attributes, known references) and returning the
 * element tree. Namespaces are left to the caller (names are returned as written, prefix
 * included). A DOCTYPE is refused: no entity is ever expanded from the document.
 */

/** One element: its name as written, attributes in document order, child elements, and its text. */
export interface XmlElement {
  name: string;
  attributes: [name: string, value: string][];
  children: XmlElement[];
  /** The character data directly inside the element (CDATA included), references decoded. */
  text: string;
}

/** Not well-formed: says what and where (1-based line and column). */
export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
    this.name = 'XmlSyntaxError';
  }
}

const LT = 60;
const GT = 62;
const SLASH = 47;
const EQ = 61;
const QUOT = 34;
const APOS = 39;
const AMP = 38;
const QUESTION = 63;
const BANG = 33;

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** XML 1.0 §2.3 NameStartChar, simplified for non-ASCII (any character above 0x7f is taken). */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c > 127;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}

const ENTITIES = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['apos', "'"],
  ['quot', '"'],
]);

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(reason: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.src.length; i++) {
      if (this.src.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new XmlSyntaxError(reason, line, at - lineStart + 1);
  }

  skipSpace(): void {
    while (this.pos < this.src.length && isSpace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  name(): string {
    const start = this.pos;
    if (!isNameStart(this.src.charCodeAt(start))) this.fail('a name was expected');
    let i = start + 1;
    while (i < this.src.length && isNameChar(this.src.charCodeAt(i))) i++;
    this.pos = i;
    return this.src.slice(start, i);
  }

  /** Text from `start` to `end` with its references (§4.1) decoded; `<` is refused. */
  decode(start: number, end: number): string {
    const src = this.src;
    let amp = -1;
    for (let i = start; i < end; i++) {
      const c = src.charCodeAt(i);
      if (c === LT) this.fail("'<' is not allowed here", i);
      if (c === AMP && amp < 0) amp = i;
    }
    if (amp < 0) return src.slice(start, end);
    let out = '';
    let from = start;
    while (amp >= 0 && amp < end) {
      const semi = src.indexOf(';', amp);
      if (semi < 0 || semi >= end) this.fail("'&' must start a reference ending with ';'", amp);
      const ref = src.slice(amp + 1, semi);
      let decoded: string | undefined;
      if (ref.charCodeAt(0) === 35 /* # */) {
        const hex = ref.charCodeAt(1) === 120; /* x */
        const digits = ref.slice(hex ? 2 : 1);
        const valid = hex ? /^[0-9a-fA-F]+$/.test(digits) : /^[0-9]+$/.test(digits);
        const code = valid ? Number.parseInt(digits, hex ? 16 : 10) : Number.NaN;
        // §4.1 WFC Legal Character: the reference must name a Char (§2.2).
        if (
          code === 9 ||
          code === 10 ||
          code === 13 ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          (code >= 0x10000 && code <= 0x10ffff)
        )
          decoded = String.fromCodePoint(code);
      } else decoded = ENTITIES.get(ref);
      if (decoded === undefined) this.fail(`unknown reference &${ref};`, amp);
      out += src.slice(from, amp) + decoded;
      from = semi + 1;
      amp = src.indexOf('&', from);
    }
    return out + src.slice(from, end);
  }

  /** Skips `<!-- ... -->` or `<? ... ?>` at pos; false if neither starts here. */
  skipMisc(): boolean {
    const src = this.src;
    if (src.startsWith('<!--', this.pos)) {
      const end = src.indexOf('-->', this.pos + 4);
      if (end < 0) this.fail('comment not closed');
      this.pos = end + 3;
      return true;
    }
    if (src.charCodeAt(this.pos) === LT && src.charCodeAt(this.pos + 1) === QUESTION) {
      const at = this.pos;
      this.pos += 2;
      const target = this.name();
      // §2.8: the XML declaration only at the very start.
      if (target.toLowerCase() === 'xml' && at !== 0) this.fail('XML declaration not at the start', at);
      const end = src.indexOf('?>', this.pos);
      if (end < 0) this.fail('processing instruction not closed', at);
      this.pos = end + 2;
      return true;
    }
    if (src.startsWith('<!DOCTYPE', this.pos)) this.fail('a DOCTYPE is not allowed');
    return false;
  }

  /** Comments, PIs and white space before or after the root element. */
  prologOrEpilog(): void {
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length || !this.skipMisc()) return;
    }
  }

  /** The element starting at pos (at '<'). */
  element(): XmlElement {
    const src = this.src;
    const open = this.pos;
    this.pos++;
    const name = this.name();
    const attributes: [string, string][] = [];
    for (;;) {
      const hadSpace = isSpace(src.charCodeAt(this.pos));
      this.skipSpace();
      const c = src.charCodeAt(this.pos);
      if (c === GT) {
        this.pos++;
        break;
      }
      if (c === SLASH) {
        if (src.charCodeAt(this.pos + 1) !== GT) this.fail("'/>' expected");
        this.pos += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (this.pos >= src.length) this.fail(`element ${name} not closed`, open);
      if (!hadSpace) this.fail('white space expected before an attribute');
      const attrAt = this.pos;
      const attr = this.name();
      this.skipSpace();
      if (src.charCodeAt(this.pos) !== EQ) this.fail(`'=' expected after attribute ${attr}`);
      this.pos++;
      this.skipSpace();
      const q = src.charCodeAt(this.pos);
      if (q !== QUOT && q !== APOS) this.fail(`the value of attribute ${attr} must be quoted`);
      const end = src.indexOf(q === QUOT ? '"' : "'", this.pos + 1);
      if (end < 0) this.fail(`the value of attribute ${attr} is not closed`);
      // §3.1 WFC Unique Att Spec.
      for (const [n] of attributes) if (n === attr) this.fail(`attribute ${attr} repeated`, attrAt);
      attributes.push([attr, this.decode(this.pos + 1, end)]);
      this.pos = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const lt = src.indexOf('<', this.pos);
      if (lt < 0) this.fail(`element ${name} not closed`, open);
      if (lt > this.pos) text += this.decode(this.pos, lt);
      this.pos = lt;
      const c = src.charCodeAt(lt + 1);
      if (c === SLASH) {
        this.pos = lt + 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> does not close <${name}>`, lt);
        this.skipSpace();
        if (src.charCodeAt(this.pos) !== GT) this.fail("'>' expected");
        this.pos++;
        return { name, attributes, children, text };
      }
      if (c === BANG && src.startsWith('<![CDATA[', lt)) {
        const end = src.indexOf(']]>', lt + 9);
        if (end < 0) this.fail('CDATA section not closed', lt);
        text += src.slice(lt + 9, end);
        this.pos = end + 3;
      } else if (!this.skipMisc()) children.push(this.element());
    }
  }
}

/** Reads a whole document; throws XmlSyntaxError if it is not well-formed. */
export function readXml(xml: string): XmlElement {
  const r = new Reader(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml);
  r.prologOrEpilog();
  if (r.src.charCodeAt(r.pos) !== LT)
    r.fail(r.pos >= r.src.length ? 'no root element' : 'text outside the root element');
  const root = r.element();
  r.prologOrEpilog();
  if (r.pos < r.src.length)
    r.fail(
      r.src.charCodeAt(r.pos) === LT
        ? 'the document must have exactly one root element'
        : 'text after the root element',
    );
  return root;
}

/** The value of attribute `name` of `el`, if present. */
export function attribute(el: XmlElement, name: string): string | undefined {
  for (const [n, v] of el.attributes) if (n === name) return v;
  return undefined;
}
