import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage, SipParseError } from '../../../src/sip/message/index.ts';
import { malformedRequestAnswer } from '../../../src/sip/transport/malformed-request-answer.ts';
import type { Flow } from '../../../src/sip/transport/types.ts';

const udp: Flow = {
  protocol: 'udp',
  local: { host: '127.0.0.1', port: 5060 },
  remote: { host: '192.0.2.7', port: 40000 },
};

/** The SipParseError parseMessage throws for these lines. */
function errorOf(lines: string[]): SipParseError {
  try {
    parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error('parsed');
}

const request = (via: string | undefined, extra: string[] = []) =>
  errorOf([
    'OPTIONS sip:a@b SIP/2.0',
    ...(via === undefined ? [] : [`Via: ${via}`]),
    'From: <sip:a@b>;tag=1',
    'To: <sip:b@b>',
    'Call-ID: c1',
    'CSeq: x OPTIONS',
    ...extra,
  ]);

describe('malformedRequestAnswer (RFC 3261 §8.2.6.2, §21.4.1)', () => {
  it('a Via that parses routes the answer like any response; the bad CSeq is copied as is', () => {
    const answer = malformedRequestAnswer(request('SIP/2.0/UDP h.test;branch=z9hG4bK1'), udp)!;
    assert.equal(answer.target, undefined);
    assert.equal(answer.response.status, 400);
    assert.match(answer.response.reason, /CSeq/);
    assert.equal(answer.response.headers.get('CSeq'), 'x OPTIONS');
    assert.match(answer.response.headers.get('To')!, /^<sip:b@b>;tag=\w+$/);
  });

  it('an unreadable Via: the source address at the sent-by port, or the source port with rport', () => {
    assert.deepEqual(malformedRequestAnswer(request('SIP/2.0/UDP h.test:5070;;,'), udp)!.target, {
      host: '192.0.2.7',
      port: 5070,
    });
    assert.deepEqual(malformedRequestAnswer(request('SIP/2.0/TLS h.test;rport;;,'), udp)!.target, {
      host: '192.0.2.7',
      port: 40000,
    });
    assert.deepEqual(malformedRequestAnswer(request('SIP/2.0/TLS h.test;;,'), udp)!.target, {
      host: '192.0.2.7',
      port: 5061,
    });
    // Nothing readable, or no Via at all: back to where the datagram came from.
    assert.deepEqual(malformedRequestAnswer(request('nonsense'), udp)!.target, udp.remote);
    const noVia = malformedRequestAnswer(request(undefined), udp)!;
    assert.deepEqual(noVia.target, udp.remote);
    assert.equal(noVia.response.reason, 'Missing Via header');
  });

  it('a To tag only where the To can take one, never a second one', () => {
    const to = (value: string) =>
      malformedRequestAnswer(
        errorOf([
          'OPTIONS sip:a@b SIP/2.0',
          'Via: SIP/2.0/UDP h.test;branch=z9hG4bK1',
          'From: <sip:a@b>;tag=1',
          `To: ${value}`,
          'Call-ID: c1',
          'CSeq: 1 OPTIONS',
          'Max-Forwards: x',
        ]),
        udp,
      )!.response.headers.get('To');
    assert.equal(to('"Unterminated <sip:b@b>'), '"Unterminated <sip:b@b>');
    assert.match(to('"Watson, Thomas" < sip:t@b >')!, /^"Watson, Thomas" < sip:t@b >;tag=\w+$/);
    assert.equal(to('<sip:b@b>;tag=given'), '<sip:b@b>;tag=given');
  });

  it('nothing to answer: a response, or a request with neither Via nor Call-ID', () => {
    const response = errorOf(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'CSeq: x OPTIONS']);
    assert.equal(malformedRequestAnswer(response, udp), undefined);
    assert.equal(
      malformedRequestAnswer(errorOf(['OPTIONS sip:a@b SIP/2.0', 'From: <sip:a@b>']), udp),
      undefined,
    );
  });
});
