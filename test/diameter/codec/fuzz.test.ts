import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { MessageFramer } from '../../../src/diameter/codec/message-framer.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import { createStandardDictionary } from '../../../src/diameter/dictionary/standard.ts';
import { DiameterDecodeError } from '../../../src/diameter/errors.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { mutateBytes, prng } from '../helpers/mutate.ts';
import { sampleGroup } from '../helpers/sample-values.ts';

const dict = createStandardDictionary();
const KNOWN_CODES = new Set<number>(Object.values(ResultCode));

// One valid encoding of every request and answer in the dictionaries, as mutation seeds.
const seeds: Buffer[] = dict.allCommands().flatMap((c) => {
  const pxy = c.def.proxiable ? CommandFlag.Proxiable : 0;
  const header = {
    commandCode: c.def.code,
    applicationId: c.def.applicationId,
    hopByHopId: 1,
    endToEndId: 2,
  };
  return [
    encodeMessage(
      { header: { ...header, flags: CommandFlag.Request | pxy }, avps: sampleGroup(c.request) },
      dict,
    ),
    encodeMessage({ header: { ...header, flags: pxy }, avps: sampleGroup(c.answer) }, dict),
  ];
});

/** Decodes; the only acceptable failure is a DiameterDecodeError carrying a known Result-Code. */
function decodeSafely(bytes: Buffer): void {
  try {
    decodeMessage(bytes, dict);
  } catch (err) {
    if (!(err instanceof DiameterDecodeError)) throw err;
    assert.ok(KNOWN_CODES.has(err.resultCode), `unknown result code ${err.resultCode}`);
    for (const avp of err.failedAvp ?? []) assert.ok(Buffer.isBuffer(avp.data));
  }
}

const mutation = fc.oneof(
  // flip one bit
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  // overwrite one byte
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  // truncate (and fix the header length so the header stays plausible)
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  // overwrite a 24-bit length field at a 4-byte boundary + 1 (where AVP lengths live)
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 0xffffff }),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: Buffer, muts: Mutation[], fixLength: boolean): Buffer {
  let b = Buffer.from(seed);
  for (const m of muts) {
    const at = m.at % b.length;
    if (m.kind === 'flip') b[at]! ^= 1 << m.bit;
    else if (m.kind === 'set') b[at] = m.value;
    else if (m.kind === 'truncate') b = b.subarray(0, Math.max(20, at & ~3));
    else if (m.kind === 'length' && b.length >= 24)
      b.writeUIntBE(m.value, Math.min((at & ~3) + 1, b.length - 4), 3);
  }
  if (fixLength && b.length >= 4) {
    b[0] = 1;
    b.writeUIntBE(b.length, 1, 3);
  }
  return b;
}

describe('fuzzing the decoder with random mutations', () => {
  it('never throws anything but DiameterDecodeError with a known Result-Code', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (i, muts, fix) => decodeSafely(mutate(seeds[i]!, muts, fix)),
      ),
      { numRuns: 4000, seed: 4242 },
    );
  });

  it('survives random bytes behind a plausible header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.boolean(), (body, request) => {
        const b = Buffer.alloc(20 + ((body.length + 3) & ~3));
        b.set(body, 20);
        b[0] = 1;
        b.writeUIntBE(b.length, 1, 3);
        b[4] = request ? 0xc0 : 0x40;
        b.writeUIntBE(300, 5, 3);
        b.writeUInt32BE(16777216, 8);
        decodeSafely(b);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('a mutated grouped AVP cannot make the decoder recurse without bound', () => {
    // Failed-AVP nested 1000 deep: refused at the depth limit, not a stack overflow.
    let inner = Buffer.alloc(0);
    for (let i = 0; i < 1000; i++) {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(279, 0);
      h[4] = 0x40;
      h.writeUIntBE(8 + inner.length, 5, 3);
      inner = Buffer.concat([h, inner]);
    }
    const msg = Buffer.concat([Buffer.alloc(20), inner]);
    msg[0] = 1;
    msg.writeUIntBE(msg.length, 1, 3);
    msg.writeUIntBE(257, 5, 3);
    decodeSafely(msg);
  });

  it('the framer reassembles messages split at random points, and rejects a desynchronised stream', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 40 }), (cuts) => {
        const stream = Buffer.concat(seeds.slice(0, 6));
        const framer = new MessageFramer();
        const out: Buffer[] = [];
        let off = 0;
        let i = 0;
        while (off < stream.length) {
          const n = cuts[i++ % cuts.length]!;
          out.push(...framer.push(stream.subarray(off, off + n)));
          off += n;
        }
        assert.deepEqual(out, seeds.slice(0, 6));
        assert.equal(framer.pending, 0);
      }),
      { numRuns: 300, seed: 11 },
    );
    assert.throws(() => new MessageFramer().push(Buffer.from([2, 0, 0, 21])), DiameterDecodeError);
    assert.throws(() => new MessageFramer().push(Buffer.from([1, 0, 0, 21])), DiameterDecodeError);
    // RFC 6733 §7.1.5: a message of another version with a sane length is delivered (to be
    // answered 5011), and the stream ends after it.
    const framer = new MessageFramer();
    const v2 = Buffer.concat([Buffer.from([2, 0, 0, 20, 0x80]), Buffer.alloc(15)]);
    assert.deepEqual(framer.push(v2.subarray(0, 8)), []);
    assert.deepEqual(framer.push(Buffer.concat([v2.subarray(8), seeds[0]!])), [v2]);
    assert.equal(framer.ended, true);
    assert.deepEqual(framer.push(seeds[0]!), []);
  });
});

describe('decoder robustness, plain loop', () => {
  it('survives 100,000 mutated messages of every command with only typed errors', () => {
    const rnd = prng(0xd1a);
    let rejected = 0;
    for (let n = 0; n < 100_000; n++) {
      const input = mutateBytes(seeds[n % seeds.length]!, rnd);
      try {
        decodeMessage(input, dict);
      } catch (err) {
        if (!(err instanceof DiameterDecodeError))
          assert.fail(`iteration ${n}: ${String(err)}\ninput: ${input.toString('hex')}`);
        assert.ok(KNOWN_CODES.has(err.resultCode), `iteration ${n}: unknown result code ${err.resultCode}`);
        rejected++;
      }
    }
    // The mutations must reach the error paths, and some must still decode.
    assert.ok(rejected > 20_000 && rejected < 100_000, `${rejected} rejected`);
  });
});
