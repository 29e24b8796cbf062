import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type Contact,
  parseMessage,
  SipParseError,
  type SipRequest,
  type SipResponse,
  validateMessage,
} from '../../../src/sip/message/index.ts';

const dir = new URL('../../fixtures/rfc4475/', import.meta.url);
const index: Record<string, { valid: boolean; section: string; note: string }> = JSON.parse(
  readFileSync(new URL('index.json', dir), 'utf8'),
);
const load = (name: string) => readFileSync(new URL(name, dir));
const req = (name: string) => parseMessage(load(name)) as SipRequest;
const res = (name: string) => parseMessage(load(name)) as SipResponse;

describe('RFC 4475 torture tests', () => {
  describe('every valid message parses (§3.1.1, §3.2-3.4)', () => {
    for (const [file, info] of Object.entries(index)) {
      // mcl01 is well-formed but its framing is unrecoverable: §3.3.9 answers 400; insuf and
      // multi01 lack or repeat the headers of a transaction: §3.3.1, §3.3.8 answer 400 (below).
      if (!info.valid || ['mcl01.dat', 'insuf.dat', 'multi01.dat'].includes(file)) continue;
      it(`${file} (§${info.section})`, () => {
        const m = parseMessage(load(file));
        // Serialize, parse again: the same message.
        const again = parseMessage(m.toBuffer());
        assert.equal(again.startLine(), m.startLine());
        assert.deepEqual(again.body, m.body);
        assert.equal(again.headers.size, m.headers.size);
      });
    }
  });

  describe('every invalid message is rejected with a typed error (§3.1.2)', () => {
    for (const [file, info] of Object.entries(index)) {
      if (info.valid) continue;
      it(`${file} (§${info.section})`, () => {
        assert.throws(
          () => validateMessage(parseMessage(load(file))),
          (err: unknown) => err instanceof SipParseError && err.reason.length > 0,
        );
      });
    }
  });

  it('3.1.1.1 wsinv: folding, LWS, compact and odd-case names, leading zeros', () => {
    const m = req('wsinv.dat');
    assert.equal(m.method, 'INVITE');
    assert.equal(m.uriText, 'sip:vivekg@chair-dnrc.example.com;unknownparam');
    assert.equal(m.to.tag, '1918181833n');
    assert.equal(m.from.tag, '98asjd8');
    assert.equal(m.from.displayName, 'J Rosenberg \\"');
    assert.equal(m.maxForwards, 68);
    assert.deepEqual(m.cseq, { seq: 9, method: 'INVITE' });
    assert.equal(m.callId, 'wsinv.ndaksdj@192.0.2.1');
    assert.equal(m.contentLength, 150);
    assert.equal(m.body.length, 150);
    assert.deepEqual(
      m.vias.map((v) => [v.transport, v.host, v.branch]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    assert.equal(m.headers.get('Subject'), '');
    assert.equal(m.headers.get('newfangledheader'), 'newfangled value continued newfangled value');
    assert.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
    const [contact] = m.contacts as Contact[];
    assert.equal(contact?.displayName, 'Quoted string ""');
    assert.equal(contact?.q, 0.33);
    assert.equal(contact?.param('newparam'), 'newvalue');
    assert.equal(contact?.param('secondparam'), null);
    assert.equal(m.routes[0]?.uriText, 'sip:services.example.com;lr;unknownwith=value;unknown-no-value');
    validateMessage(m);
  });

  it('3.1.1.2 intmeth: unusual method, Request-URI and tokens', () => {
    const m = req('intmeth.dat');
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assert.equal(m.cseq.method, m.method);
    assert.equal(m.cseq.seq, 139122385);
    assert.equal(m.maxForwards, 255);
    assert.equal(m.topVia.branch, "z9hG4bK-.!%66*_+`'~");
    assert.equal(m.from.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(m.from.tag, "_token~1'+`*%!-.");
    assert.equal(m.from.param("fromparam''~+*_!.-%"), 'работающий');
    assert.equal(m.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    assert.equal(m.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    validateMessage(m);
  });

  it('3.1.1.3 esc01: escapes kept in URIs', () => {
    const m = req('esc01.dat');
    assert.equal(m.uriText, 'sip:sips%3Auser%40example.com@example.net');
    assert.equal(m.to.uriText, 'sip:%75se%72@example.com');
    assert.equal(m.headers.get('Content-Type'), 'application/sdp');
    validateMessage(m);
  });

  it('3.1.1.4 escnull: %00 in user parts, two Contact values', () => {
    const m = req('escnull.dat');
    assert.equal(m.to.uriText, 'sip:null-%00-null@example.com');
    assert.equal(m.contacts.length, 2);
    assert.equal(m.contentLength, 0);
    validateMessage(m);
  });

  it('3.1.1.5 esc02: % in a method is not an escape; three Contact fields', () => {
    const m = req('esc02.dat');
    assert.equal(m.method, 'RE%47IST%45R');
    assert.notEqual(m.method, 'REGISTER');
    assert.equal(m.to.displayName, '%Z%45');
    // "C%6Fntact" is an unknown header, not Contact.
    assert.equal(m.contacts.length, 2);
    assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
    validateMessage(m);
  });

  it('3.1.1.6 lwsdisp: no LWS between display name and <', () => {
    const m = req('lwsdisp.dat');
    assert.equal(m.from.displayName, 'caller');
    assert.equal(m.from.uriText, 'sip:caller@example.com');
  });

  it('3.1.1.7 longreq: long values', () => {
    const m = req('longreq.dat');
    assert.equal(m.from.tag?.length, 155);
    assert.equal(m.vias.length, 34);
    assert.equal(m.body.length, m.contentLength);
    validateMessage(m);
  });

  it('3.1.1.8 dblreq: bytes after Content-Length in a datagram are ignored', () => {
    const m = req('dblreq.dat');
    assert.equal(m.method, 'REGISTER');
    assert.equal(m.body.length, 0);
    assert.equal(m.callId, 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
  });

  it('3.1.1.9 semiuri: ; in the user part', () => {
    const m = req('semiuri.dat');
    assert.equal(m.uriText, 'sip:user;par=u%40example.net@example.com');
    assert.equal(m.headers.values('Accept').length, 6);
  });

  it('3.1.1.10 transports: five Via transports', () => {
    const m = req('transports.dat');
    assert.deepEqual(
      m.vias.map((v) => v.transport),
      ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
    );
  });

  it('3.1.1.11 mpart01: binary multipart body kept byte for byte', () => {
    const raw = load('mpart01.dat');
    const m = req('mpart01.dat');
    assert.equal(m.contentLength, 553);
    assert.equal(m.body.length, 553);
    assert.ok(raw.subarray(raw.length - 553).equals(m.body));
    assert.equal(m.contentType?.param('boundary'), '7a9cbec02ceef655');
    assert.ok(m.toBuffer().subarray(-553).equals(m.body));
  });

  it('3.1.1.12 unreason: UTF-8 reason phrase', () => {
    const m = res('unreason.dat');
    assert.equal(m.status, 200);
    assert.equal(m.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  });

  it('3.1.1.13 noreason: empty reason phrase', () => {
    const m = res('noreason.dat');
    assert.equal(m.status, 100);
    assert.equal(m.reason, '');
  });

  it('3.1.2.16 badvers: answered with 505', () => {
    assert.throws(
      () => parseMessage(load('badvers.dat')),
      (err: unknown) => err instanceof SipParseError && err.status === 505 && err.kind === 'request',
    );
  });

  it('3.1.2.19 bigcode, 3.1.2.5 scalarlg: bad responses are flagged as responses (dropped)', () => {
    for (const f of ['bigcode.dat', 'scalarlg.dat']) {
      assert.throws(
        () => validateMessage(parseMessage(load(f))),
        (err: unknown) => err instanceof SipParseError && err.kind === 'response',
      );
    }
  });

  it('3.1.2 request errors keep the headers needed for a 400', () => {
    assert.throws(
      () => parseMessage(load('mismatch01.dat')),
      (err: unknown) =>
        err instanceof SipParseError && err.kind === 'request' && err.headers?.has('Call-ID') === true,
    );
  });

  it('3.2.1 badbranch: a branch that is only the magic cookie parses', () => {
    assert.equal(req('badbranch.dat').topVia.branch, 'z9hG4bK');
  });

  it('3.3.1 insuf: refused naming every missing header, with what a 400 needs', () => {
    assert.throws(
      () => parseMessage(load('insuf.dat')),
      (err: unknown) =>
        err instanceof SipParseError &&
        err.reason === 'Missing To, From, Call-ID headers' &&
        err.kind === 'request' &&
        err.headers?.has('Via') === true,
    );
  });

  it('3.3.2-3.3.4: unknown URI schemes are kept opaque', () => {
    assert.equal(req('unkscm.dat').uri.scheme.toLowerCase(), 'nobodyknowsthisscheme');
    assert.equal(req('novelsc.dat').uri.scheme, 'soap.beep');
    const m = req('unksm2.dat');
    assert.equal(m.to.uri.scheme, 'isbn');
    assert.equal(m.from.uri.scheme, 'http');
    validateMessage(m);
  });

  it('3.3.5 bext01: option tags', () => {
    const m = req('bext01.dat');
    assert.deepEqual(m.headers.values('Require'), ['nothingSupportsThis', 'nothingSupportsThisEither']);
    assert.deepEqual(m.headers.values('Proxy-Require'), [
      'noProxiesSupportThis',
      'norDoAnyProxiesSupportThis',
    ]);
  });

  it('3.3.7 regaut01: an unknown auth scheme parses', () => {
    const m = req('regaut01.dat');
    validateMessage(m);
    assert.equal(m.headers.get('Authorization'), 'NoOneKnowsThisScheme opaque-data=here');
  });

  it('3.3.8 multi01: several single-valued headers are refused at once', () => {
    assert.throws(
      () => parseMessage(load('multi01.dat')),
      (err: unknown) => err instanceof SipParseError && /^Multiple To headers$/.test(err.reason),
    );
  });

  it('3.3.9 mcl01: conflicting Content-Length values are a framing error', () => {
    assert.throws(() => parseMessage(load('mcl01.dat')), /Conflicting Content-Length/);
  });

  it('3.3.11 zeromf: Max-Forwards 0 parses', () => {
    assert.equal(req('zeromf.dat').maxForwards, 0);
  });

  it('3.3.12 cparam01: addr-spec Contact params are header params', () => {
    const [c] = req('cparam01.dat').contacts as Contact[];
    assert.equal(c?.uriText, 'sip:+19725552222@gw1.example.net');
    assert.equal(c?.param('unknownparam'), null);
  });

  it('3.3.13 cparam02: params inside <> belong to the URI', () => {
    const [c] = req('cparam02.dat').contacts as Contact[];
    assert.equal(c?.uriText, 'sip:+19725552222@gw1.example.net;unknownparam');
    assert.equal(c?.params.size, 0);
  });

  it('3.3.14 regescrt: escaped Route header in a Contact URI', () => {
    const [c] = req('regescrt.dat').contacts as Contact[];
    assert.equal(c?.uriText, 'sip:user@example.com?Route=%3Csip:sip.example.com%3E');
  });

  it('3.4.1 inv2543: RFC 2543 syntax accepted', () => {
    const m = req('inv2543.dat');
    assert.equal(m.topVia.branch, undefined);
    assert.equal(m.maxForwards, undefined);
    assert.equal(m.contentLength, undefined);
    assert.ok(m.body.length > 0);
    validateMessage(m);
  });
});
