import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  HEADER_SPECS,
  parseMessage,
  SipParseError,
  type SipRequest,
  StreamFramer,
  validateMessage,
} from '../../../src/sip/message/index.ts';

const token = fc.stringMatching(/^[A-Za-z0-9\-.!%*_+`'~]{1,12}$/);
const host = fc.oneof(
  fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z]([a-z0-9-]{0,8}[a-z0-9])?){0,3}$/),
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const sipUri = fc
  .record({ user: fc.option(fc.stringMatching(/^[a-z0-9+]{1,10}$/), { nil: undefined }), host, port })
  .map(({ user, host, port }) => `sip:${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}`);
const safeText = fc.stringMatching(/^[ -~]{0,30}$/).map((s) => s.trim());
const unknownName = fc.stringMatching(/^X-[A-Za-z0-9-]{1,10}$/);

interface Model {
  method: string;
  uri: string;
  headers: [string, string][];
  body: Buffer;
}

const model: fc.Arbitrary<Model> = fc
  .record({
    method: fc.oneof(fc.constantFrom('INVITE', 'REGISTER', 'OPTIONS', 'BYE', 'MESSAGE'), token),
    uri: sipUri,
    vias: fc.array(fc.record({ t: fc.constantFrom('UDP', 'TCP', 'TLS', 'WS'), host, port, b: token }), {
      minLength: 1,
      maxLength: 4,
    }),
    from: fc.record({ uri: sipUri, tag: token, dn: fc.option(token, { nil: undefined }) }),
    to: sipUri,
    callId: token,
    seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    mf: fc.integer({ min: 0, max: 255 }),
    contacts: fc.array(sipUri, { maxLength: 3 }),
    extra: fc.array(fc.tuple(unknownName, safeText), { maxLength: 5 }),
    compact: fc.boolean(),
    body: fc.uint8Array({ maxLength: 300 }),
  })
  .map((r) => {
    const headers: [string, string][] = [];
    for (const v of r.vias) {
      headers.push([
        r.compact ? 'v' : 'Via',
        `SIP/2.0/${v.t} ${v.host}${v.port ? `:${v.port}` : ''};branch=z9hG4bK${v.b}`,
      ]);
    }
    headers.push([
      r.compact ? 'f' : 'From',
      `${r.from.dn ? `${r.from.dn} ` : ''}<${r.from.uri}>;tag=${r.from.tag}`,
    ]);
    headers.push([r.compact ? 't' : 'To', `<${r.to}>`]);
    headers.push([r.compact ? 'i' : 'Call-ID', r.callId]);
    headers.push(['CSeq', `${r.seq} ${r.method}`]);
    headers.push(['Max-Forwards', String(r.mf)]);
    for (const c of r.contacts) headers.push([r.compact ? 'm' : 'Contact', `<${c}>`]);
    for (const e of r.extra) headers.push(e);
    const body = Buffer.from(r.body);
    if (body.length) headers.push(['Content-Type', 'application/octet-stream']);
    headers.push([r.compact ? 'l' : 'Content-Length', String(body.length)]);
    return { method: r.method, uri: r.uri, headers, body };
  });

function encode(m: Model): Buffer {
  const head = `${m.method} ${m.uri} SIP/2.0\r\n${m.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head), m.body]);
}

describe('SIP message properties', () => {
  it('serialize(parse(m)) is semantically m', () => {
    fc.assert(
      fc.property(model, (m) => {
        const parsed = parseMessage(encode(m)) as SipRequest;
        validateMessage(parsed);
        for (const out of [parsed.toBuffer(), parseMessage(parsed.toBuffer(), { stream: true }).toBuffer()]) {
          const again = parseMessage(out) as SipRequest;
          assert.equal(again.method, m.method);
          assert.equal(again.uriText, m.uri);
          assert.deepEqual(again.body, m.body);
          assert.deepEqual(
            [...again.headers].map((f) => [f.key, f.value]),
            [...parsed.headers].map((f) => [f.key, f.value]),
          );
          assert.equal(again.vias.length, m.headers.filter(([n]) => n === 'v' || n === 'Via').length);
          assert.equal(again.from.tag, parsed.from.tag);
          assert.equal(again.cseq.seq, parsed.cseq.seq);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a stream of generated messages is framed back into the same messages', () => {
    fc.assert(
      fc.property(
        fc.array(model, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 200 }),
        (ms, chunk) => {
          const wire = Buffer.concat(ms.map(encode));
          const f = new StreamFramer(1 << 20);
          const got: Buffer[] = [];
          for (let i = 0; i < wire.length; i += chunk) {
            for (const e of f.push(wire.subarray(i, i + chunk))) if (e.type === 'message') got.push(e.data);
          }
          assert.equal(got.length, ms.length);
          for (const [i, g] of got.entries())
            assert.deepEqual(parseMessage(g, { stream: true }).body, ms[i]!.body);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random strings never escape as anything but SipParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          validateMessage(parseMessage(Buffer.from(s)));
        } catch (err) {
          if (!(err instanceof SipParseError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** Real messages: the RFC 4475 set and some IMS traffic. */
function corpus(): Buffer[] {
  const dir = new URL('../../fixtures/rfc4475/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dat'))
    .map((f) => readFileSync(new URL(f, dir)));
}

/** Small deterministic PRNG so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 9, 10, 13, 32, 34, 37, 44, 58, 59, 60, 61, 62, 64, 92, 0xff, 0xc3];

function mutate(src: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(src);
  const ops = 1 + Math.floor(rnd() * 4);
  let out = b;
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rnd() * out.length);
    const r = rnd();
    if (r < 0.35) out[at] = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
    else if (r < 0.55) out[at] = Math.floor(rnd() * 256);
    else if (r < 0.7)
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(rnd() * 8))]);
    else if (r < 0.85) {
      const from = Math.floor(rnd() * out.length);
      out = Buffer.concat([
        out.subarray(0, at),
        out.subarray(from, from + Math.floor(rnd() * 40)),
        out.subarray(at),
      ]);
    } else out = out.subarray(0, at);
  }
  return out;
}

/** Reads every typed value, as an endpoint would: the lazy parsers must fail typed too. */
function touchAll(buf: Buffer): void {
  const m = parseMessage(buf);
  for (const spec of HEADER_SPECS) if (m.headers.has(spec.name)) m.all(spec);
  validateMessage(m);
  m.toBuffer();
}

describe('SIP parser robustness', () => {
  it('survives 100,000 mutated real messages with only typed errors', () => {
    const inputs = corpus();
    const rnd = prng(0x5eed);
    let rejected = 0;
    for (let n = 0; n < 100_000; n++) {
      const input = mutate(inputs[n % inputs.length]!, rnd);
      try {
        touchAll(input);
      } catch (err) {
        if (!(err instanceof SipParseError)) {
          assert.fail(`iteration ${n}: ${String(err)}\ninput: ${JSON.stringify(input.toString('latin1'))}`);
        }
        rejected++;
      }
    }
    // The mutations must actually hit the error paths, or the test proves nothing.
    assert.ok(rejected > 10_000, `only ${rejected} rejected`);
  });
});
