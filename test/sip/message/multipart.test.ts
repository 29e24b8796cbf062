import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type BodyPart,
  boundaryFromContentType,
  formatMultipart,
  parseMultipart,
} from '../../../src/sip/message/body/multipart.ts';
import { SipParseError } from '../../../src/sip/message/errors.ts';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n';
// An IAM-like ISUP message: every byte value, CR LF and "--" among them.
const ISUP = Buffer.from([0x01, 0x00, 0x60, 0x01, 0x0a, 0x00, 0x02, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const bytes = (...chunks: (string | Buffer)[]) =>
  Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c)));
const rejects = (body: Buffer, boundary: string, reason: RegExp) =>
  assert.throws(
    () => parseMultipart(body, boundary),
    (e: unknown) =>
      e instanceof SipParseError && reason.test(e.reason) && e.reason.startsWith('Bad multipart body: '),
  );

describe('parseMultipart', () => {
  it('splits a SIP-I body: SDP and binary ISUP, preamble and epilogue ignored', () => {
    const body = bytes(
      'This is a preamble.\r\n',
      '--unique-boundary-1\r\n',
      'Content-Type: application/sdp\r\n',
      '\r\n',
      SDP,
      '\r\n--unique-boundary-1\r\n',
      'content-type: application/ISUP; version=itu-t92+; base=itu-t92+\r\n',
      'CONTENT-DISPOSITION: signal; handling=optional\r\n',
      '\r\n',
      ISUP,
      '\r\n--unique-boundary-1--\r\n',
      'This is an epilogue.\r\n',
    );
    const parts = parseMultipart(body, 'unique-boundary-1');
    assert.equal(parts.length, 2);
    assert.equal(parts[0]?.headers.get('content-type'), 'application/sdp');
    assert.equal(parts[0]?.content.toString(), SDP);
    assert.equal(parts[1]?.headers.get('content-type'), 'application/ISUP; version=itu-t92+; base=itu-t92+');
    assert.equal(parts[1]?.headers.get('content-disposition'), 'signal; handling=optional');
    assert.ok(Buffer.isBuffer(parts[1]?.content));
    assert.deepEqual(parts[1]?.content, ISUP);
  });

  it('every byte value survives; the CRLF before a delimiter belongs to the delimiter', () => {
    const body = bytes('--b\r\nContent-Type: application/octet-stream\r\n\r\n', ALL_BYTES, '\r\n\r\n--b--');
    const [part] = parseMultipart(body, 'b');
    assert.deepEqual(part?.content, bytes(ALL_BYTES, '\r\n'));
  });

  it('transport padding after boundaries; no trailing CRLF after the close delimiter', () => {
    const body = bytes('--b \t\r\n\r\none\r\n--b\t\r\n\r\ntwo\r\n--b-- \r\n');
    assert.deepEqual(
      parseMultipart(body, 'b').map((p) => p.content.toString()),
      ['one', 'two'],
    );
    assert.equal(parseMultipart(bytes('--b\r\n\r\nx\r\n--b--'), 'b')[0]?.content.toString(), 'x');
  });

  it('a line starting with the boundary but going on is content', () => {
    const body = bytes('--b\r\n\r\nx\r\n--bb\r\n--b-not\r\ny\r\n--b--\r\n');
    assert.equal(parseMultipart(body, 'b')[0]?.content.toString(), 'x\r\n--bb\r\n--b-not\r\ny');
  });

  it('parts without header fields, without content, empty', () => {
    const body = bytes('--b\r\n\r\nno headers\r\n--b\r\nContent-Type: text/plain\r\n--b\r\n\r\n--b--');
    const parts = parseMultipart(body, 'b');
    assert.equal(parts.length, 3);
    assert.equal(parts[0]?.headers.size, 0);
    assert.equal(parts[0]?.content.toString(), 'no headers');
    assert.equal(parts[1]?.headers.get('content-type'), 'text/plain');
    assert.equal(parts[1]?.content.length, 0);
    assert.equal(parts[2]?.content.length, 0);
  });

  it('unfolds folded header fields', () => {
    const body = bytes(
      '--b\r\nContent-Type: application/pidf+xml;\r\n  charset=utf-8\r\nContent-ID: <a@b>\r\n\r\nx\r\n--b--',
    );
    const [part] = parseMultipart(body, 'b');
    assert.equal(part?.headers.get('content-type'), 'application/pidf+xml;  charset=utf-8');
    assert.equal(part?.headers.get('content-id'), '<a@b>');
  });

  it('a boundary with spaces and specials (RFC 2046 bchars)', () => {
    const b = "gc0p4Jq0M2Yt08j34c0p'()+_,-./:=? x";
    assert.equal(parseMultipart(bytes(`--${b}\r\n\r\nhi\r\n--${b}--`), b)[0]?.content.toString(), 'hi');
  });

  it('refuses malformed bodies', () => {
    rejects(bytes('no boundary here'), 'b', /no boundary/);
    rejects(bytes('x--b\r\n\r\nhi\r\n--b'), 'b', /no boundary/); // not at a line start
    rejects(bytes('x--b\r\n\r\nhi\r\n--b--'), 'b', /no body part/); // all preamble, then the close
    rejects(bytes('--b\r\n\r\nhi\r\n'), 'b', /no close delimiter/);
    rejects(bytes('--b\r\n\r\nhi\r\n--b'), 'b', /no close delimiter/);
    rejects(bytes('--b--\r\n'), 'b', /no body part/);
    rejects(bytes('--b\r\nnot a header\r\n\r\nhi\r\n--b--'), 'b', /invalid part header/);
    rejects(bytes('--b\r\n: empty name\r\n\r\nhi\r\n--b--'), 'b', /invalid part header/);
    rejects(bytes('--b\nContent-Type: a/b\n\nhi\n--b--\n'), 'b', /no boundary/); // LF alone is not CRLF
    rejects(bytes('--\r\n'), '', /invalid boundary/);
    rejects(bytes('--b \r\n'), 'b ', /invalid boundary/);
    rejects(bytes('--x\r\n'), 'x'.repeat(71), /invalid boundary/);
  });
});

describe('formatMultipart', () => {
  const parts: BodyPart[] = [
    { headers: new Map([['content-type', 'application/sdp']]), content: Buffer.from(SDP) },
    {
      headers: new Map([
        ['content-type', 'application/isup; version=itu-t92+'],
        ['content-disposition', 'signal; handling=optional'],
        ['content-id', '<isup@ims.test>'],
      ]),
      content: ISUP,
    },
  ];

  it('writes parts with usual header spellings and a fresh boundary', () => {
    const out = formatMultipart(parts);
    assert.match(out.boundary, /^ims-[0-9a-f]{24}$/);
    assert.equal(out.contentType, `multipart/mixed;boundary=${out.boundary}`);
    assert.equal(boundaryFromContentType(out.contentType), out.boundary);
    const text = out.body.toString('latin1');
    assert.ok(text.startsWith(`--${out.boundary}\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n`));
    assert.ok(
      text.includes('\r\nContent-Disposition: signal; handling=optional\r\nContent-ID: <isup@ims.test>\r\n'),
    );
    assert.ok(text.endsWith(`\r\n--${out.boundary}--\r\n`));
    const back = parseMultipart(out.body, out.boundary);
    assert.deepEqual(back, parts);
  });

  it('uses a given boundary, quoting it in the Content-Type when needed', () => {
    const out = formatMultipart(parts, 'a boundary');
    assert.equal(out.contentType, 'multipart/mixed;boundary="a boundary"');
    assert.deepEqual(parseMultipart(out.body, boundaryFromContentType(out.contentType)!), parts);
  });

  it('refuses a boundary that is invalid or occurs in a part, and no parts at all', () => {
    assert.throws(() => formatMultipart(parts, 'bad boundary '), SipParseError);
    assert.throws(
      () => formatMultipart([{ headers: new Map(), content: Buffer.from('x\r\n--sep\r\n') }], 'sep'),
      /boundary occurs in a part/,
    );
    assert.throws(() => formatMultipart([]), /no body part/);
  });
});

describe('boundaryFromContentType', () => {
  it('reads the boundary parameter, quoted or not, name case-insensitive', () => {
    assert.equal(boundaryFromContentType('multipart/mixed;boundary=unique-boundary-1'), 'unique-boundary-1');
    assert.equal(boundaryFromContentType('multipart/mixed; Boundary="simple boundary"'), 'simple boundary');
    assert.equal(boundaryFromContentType('multipart/mixed ; x="a;boundary=no" ; BOUNDARY = b1 '), 'b1');
    assert.equal(boundaryFromContentType('multipart/mixed; boundary="q\\"x"'), 'q"x');
    assert.equal(boundaryFromContentType('multipart/mixed; charset=utf-8'), undefined);
    assert.equal(boundaryFromContentType('multipart/mixed'), undefined);
    assert.throws(() => boundaryFromContentType('multipart/mixed; boundary="open'), SipParseError);
  });
});

describe('properties', () => {
  const partArb = fc.record(
    {
      headers: fc
        .uniqueArray(
          fc.tuple(
            fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
            fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/),
          ),
          { maxLength: 3, selector: ([k]) => k },
        )
        .map((h) => new Map(h)),
      content: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    },
    { noNullPrototype: true },
  );

  it('parse(format(parts)) gives the parts back', () => {
    fc.assert(
      fc.property(fc.array(partArb, { minLength: 1, maxLength: 4 }), (parts) => {
        const out = formatMultipart(parts);
        assert.deepEqual(parseMultipart(out.body, out.boundary), parts);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes never throw anything but SipParseError', () => {
    const check = (body: Buffer) => {
      try {
        parseMultipart(body, 'b');
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (a) => check(Buffer.from(a))));
    const pieces = fc.constantFrom(
      '--b',
      '--b--',
      '\r\n',
      '\r\n\r\n',
      ' ',
      'x',
      ':',
      'Content-Type: a/b',
      '\n',
      '-',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 20 }), (a) => check(Buffer.from(a.join('')))),
      {
        numRuns: 2000,
      },
    );
  });
});
