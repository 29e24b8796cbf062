import { CONTACT, type Contact, type STAR } from './contact.ts';
import { SipParseError } from './errors.ts';
import { type HeaderSpec, Headers } from './headers.ts';
import { CONTENT_TYPE, type MediaType } from './media-type.ts';
import { FROM, type NameAddr, RECORD_ROUTE, ROUTE, TO } from './name-addr.ts';
import { CALL_ID, CONTENT_LENGTH, CSEQ, type CSeq, EXPIRES, MAX_FORWARDS } from './scalars.ts';
import { VIA, type Via } from './via.ts';

/** Where toBuffer() writes the header section before copying it out (grows for larger messages). */
let scratch = Buffer.allocUnsafe(16_384);

/** What requests and responses share: headers, body, and typed access to the common headers. */
export abstract class SipMessage {
  abstract readonly isRequest: boolean;

  constructor(
    public headers: Headers = new Headers(),
    /** Body bytes, never decoded here (it may be binary: ISUP, PKCS#7). */
    public body: Buffer = Buffer.alloc(0),
    /** How the header section was decoded: latin1 keeps invalid UTF-8 bytes as received. */
    readonly headerEncoding: 'utf8' | 'latin1' = 'utf8',
  ) {}

  /** The start line without CRLF. */
  abstract startLine(): string;

  /** Typed values of any header (see the *_SPEC constants of this folder). */
  all<T>(spec: HeaderSpec<T>): T[] {
    return this.headers.parsed(spec);
  }

  /** First typed value of a header, or undefined when absent. */
  first<T>(spec: HeaderSpec<T>): T | undefined {
    return this.headers.first(spec);
  }

  /** First typed value of a header that must be present. */
  required<T>(spec: HeaderSpec<T>): T {
    const v = this.headers.first(spec);
    if (v === undefined) throw new SipParseError(`Missing ${spec.name} header`, spec.name);
    return v;
  }

  get callId(): string {
    return this.required(CALL_ID);
  }

  get cseq(): CSeq {
    return this.required(CSEQ);
  }

  get from(): NameAddr {
    return this.required(FROM);
  }

  get to(): NameAddr {
    return this.required(TO);
  }

  /** Every Via value, top first. */
  get vias(): Via[] {
    return this.all(VIA);
  }

  get topVia(): Via {
    return this.required(VIA);
  }

  get maxForwards(): number | undefined {
    return this.first(MAX_FORWARDS);
  }

  get expires(): number | undefined {
    return this.first(EXPIRES);
  }

  /** Contact values; `'*'` is the wildcard of a REGISTER removing every binding. */
  get contacts(): (Contact | typeof STAR)[] {
    return this.all(CONTACT);
  }

  get routes(): NameAddr[] {
    return this.all(ROUTE);
  }

  get recordRoutes(): NameAddr[] {
    return this.all(RECORD_ROUTE);
  }

  get contentType(): MediaType | undefined {
    return this.first(CONTENT_TYPE);
  }

  /** Content-Length as the header says (the body's length once serialized). */
  get contentLength(): number | undefined {
    return this.first(CONTENT_LENGTH);
  }

  /** Serializes the message. Content-Length is set to the body's length if it is missing or wrong. */
  toBuffer(): Buffer {
    const cl = this.headers.get('Content-Length');
    if (cl === undefined || Number(cl) !== this.body.length || !/^\d+$/.test(cl)) {
      this.headers.set('Content-Length', String(this.body.length));
    }
    const encoding = this.headerEncoding;
    const head = this.headers.wireText(this.startLine());
    // Written once into a scratch buffer and copied out: the text is not measured first.
    const worst = head.length * (encoding === 'utf8' ? 3 : 1);
    if (worst > scratch.length) scratch = Buffer.allocUnsafe(Math.max(worst, 2 * scratch.length));
    const at = scratch.write(head, 0, encoding);
    const out = Buffer.allocUnsafe(at + this.body.length);
    scratch.copy(out, 0, 0, at);
    this.body.copy(out, at);
    return out;
  }

  /** The message as text (body decoded as UTF-8), for logs and tests. */
  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}
