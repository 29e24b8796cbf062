import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import type { RawAvp } from '../../../src/diameter/codec/raw-avp.ts';
import { createStandardDictionary } from '../../../src/diameter/dictionary/standard.ts';
import { DiameterDecodeError, DiameterEncodeError } from '../../../src/diameter/errors.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { rawMessage, str, u32 } from '../helpers/raw-message.ts';
import { sampleGroup } from '../helpers/sample-values.ts';

const dict = createStandardDictionary();
const CER = { flags: 0x80, commandCode: 257, applicationId: 0 };
const cerAvps = (): RawAvp[] => [
  str(264, 'peer.ims.test'),
  str(296, 'ims.test'),
  { code: 257, flags: 0x40, vendorId: 0, data: Buffer.from([0, 1, 127, 0, 0, 1]) },
  u32(266, 0),
  str(269, 'test', 0),
];

function decodeError(bytes: Buffer): DiameterDecodeError {
  try {
    decodeMessage(bytes, dict);
  } catch (err) {
    assert.ok(err instanceof DiameterDecodeError, `expected DiameterDecodeError, got ${err}`);
    return err;
  }
  assert.fail('decoded without error');
}

describe('validation per the command ABNF (RFC 6733 §7.1)', () => {
  it('accepts a well-formed CER', () => {
    const msg = decodeMessage(rawMessage(CER, cerAvps()), dict);
    assert.equal(msg.avps.originHost, 'peer.ims.test');
  });

  it('MUST answer 5005 with an example of the missing AVP in Failed-AVP (§7.5)', () => {
    const err = decodeError(
      rawMessage(
        CER,
        cerAvps().filter((a) => a.code !== 266),
      ),
    );
    assert.equal(err.resultCode, ResultCode.DIAMETER_MISSING_AVP);
    assert.deepEqual(err.failedAvp, [{ code: 266, flags: 0x40, vendorId: 0, data: Buffer.alloc(4) }]);
    assert.equal(err.header?.commandCode, 257);
  });

  it('5005 for a missing AVP inside a grouped AVP (Vendor-Id of Vendor-Specific-Application-Id)', () => {
    const vsai: RawAvp = {
      code: 260,
      flags: 0x40,
      vendorId: 0,
      data: Buffer.from(encodeAvps([u32(258, 16777216)])),
    };
    const err = decodeError(rawMessage(CER, [...cerAvps(), vsai]));
    assert.equal(err.resultCode, ResultCode.DIAMETER_MISSING_AVP);
    assert.equal(err.failedAvp?.[0]?.code, 266);
  });

  it('5001 for an unknown AVP with the M bit, the AVP in Failed-AVP', () => {
    const unknown = str(4242, 'x', 0x40, 99);
    const err = decodeError(rawMessage(CER, [...cerAvps(), unknown]));
    assert.equal(err.resultCode, ResultCode.DIAMETER_AVP_UNSUPPORTED);
    assert.deepEqual(err.failedAvp, [{ ...unknown, data: Buffer.from('x') }]);
  });

  it('keeps an unknown AVP without the M bit in rawAvps', () => {
    const msg = decodeMessage(rawMessage(CER, [...cerAvps(), str(4242, 'x', 0, 99)]), dict);
    assert.deepEqual(msg.avps.rawAvps, [{ code: 4242, flags: 0x80, vendorId: 99, data: Buffer.from('x') }]);
  });

  it('5014 for an AVP whose length runs past the message', () => {
    const bytes = rawMessage(CER, cerAvps());
    bytes.writeUIntBE(200, 20 + 5, 3); // first AVP (Origin-Host) claims 200 bytes
    const err = decodeError(bytes);
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_AVP_LENGTH);
    assert.equal(err.failedAvp?.[0]?.code, 264);
  });

  it('5014 for an AVP length shorter than its header', () => {
    const bytes = rawMessage(CER, cerAvps());
    bytes.writeUIntBE(4, 20 + 5, 3);
    assert.equal(decodeError(bytes).resultCode, ResultCode.DIAMETER_INVALID_AVP_LENGTH);
  });

  it('5014 for an Unsigned32 of 3 bytes, with a zero-filled minimum example', () => {
    const bad: RawAvp = { code: 266, flags: 0x40, vendorId: 0, data: Buffer.from([0, 0, 1]) };
    const err = decodeError(rawMessage(CER, [...cerAvps().filter((a) => a.code !== 266), bad]));
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_AVP_LENGTH);
    assert.equal(err.failedAvp?.[0]?.code, 266);
  });

  it('5014 for an Address whose length does not match its family', () => {
    const bad: RawAvp = { code: 257, flags: 0x40, vendorId: 0, data: Buffer.from([0, 1, 127, 0, 0]) };
    const err = decodeError(rawMessage(CER, [...cerAvps().filter((a) => a.code !== 257), bad]));
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_AVP_LENGTH);
  });

  it('an Address of a family other than IPv4/IPv6 does not fail the message (§4.3.1)', () => {
    const e164: RawAvp = { code: 257, flags: 0x40, vendorId: 0, data: Buffer.from('0008343637', 'hex') };
    const msg = decodeMessage(rawMessage(CER, [...cerAvps(), e164]), dict);
    assert.deepEqual(msg.avps.hostIpAddress, ['127.0.0.1', { family: 8, bytes: Buffer.from('467') }]);
    // Encoded back with the same family and bytes.
    const again = decodeMessage(encodeMessage(msg, dict), dict);
    assert.deepEqual(again.avps.hostIpAddress, msg.avps.hostIpAddress);
  });

  it('5004 for a UTF8String that is not UTF-8', () => {
    const bad: RawAvp = { code: 269, flags: 0, vendorId: 0, data: Buffer.from([0xc3, 0x28]) };
    const err = decodeError(rawMessage(CER, [...cerAvps().filter((a) => a.code !== 269), bad]));
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_AVP_VALUE);
  });

  it('5009 when an AVP allowed once occurs twice', () => {
    const err = decodeError(rawMessage(CER, [...cerAvps(), str(296, 'other.test')]));
    assert.equal(err.resultCode, ResultCode.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES);
    assert.equal(err.failedAvp?.[0]?.code, 296);
  });

  it('5008 for a known AVP where the ABNF has no *[ AVP ] (inside Vendor-Specific-Application-Id)', () => {
    const vsai: RawAvp = {
      code: 260,
      flags: 0x40,
      vendorId: 0,
      data: encodeAvps([u32(266, 10415), str(1, 'x')]),
    };
    const err = decodeError(rawMessage(CER, [...cerAvps(), vsai]));
    assert.equal(err.resultCode, ResultCode.DIAMETER_AVP_NOT_ALLOWED);
    assert.equal(err.failedAvp?.[0]?.code, 1);
  });

  it('3009 for the M bit on an AVP whose definition says MUST NOT (Product-Name)', () => {
    const err = decodeError(
      rawMessage(CER, [...cerAvps().filter((a) => a.code !== 269), str(269, 'test', 0x40)]),
    );
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_AVP_BITS);
  });

  it('3008 for a request with the E bit', () => {
    const err = decodeError(rawMessage({ ...CER, flags: 0xa0 }, cerAvps()));
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_HDR_BITS);
  });

  it('3008 for a CER with the P bit (CER is not proxiable)', () => {
    const err = decodeError(rawMessage({ ...CER, flags: 0xc0 }, cerAvps()));
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_HDR_BITS);
    assert.equal(err.header?.hopByHopId, 1);
  });

  it('5011 for version 2, 5015 for a length that is not a multiple of 4 or too short', () => {
    const v2 = rawMessage(CER, cerAvps());
    v2[0] = 2;
    assert.equal(decodeError(v2).resultCode, ResultCode.DIAMETER_UNSUPPORTED_VERSION);
    const odd = rawMessage(CER, cerAvps());
    odd.writeUIntBE(odd.length - 2, 1, 3);
    assert.equal(decodeError(odd).resultCode, ResultCode.DIAMETER_INVALID_MESSAGE_LENGTH);
    assert.equal(decodeError(Buffer.alloc(12)).resultCode, ResultCode.DIAMETER_INVALID_MESSAGE_LENGTH);
  });

  it('answers with the E bit are checked against the §7.2 answer-message ABNF', () => {
    const bytes = rawMessage({ flags: 0x20, commandCode: 300, applicationId: 16777216 }, [
      str(264, 'hss.ims.test'),
      str(296, 'ims.test'),
      u32(268, 3002),
    ]);
    const msg = decodeMessage(bytes, dict);
    assert.equal(msg.avps.resultCode, 3002);
  });

  it('keeps unreadable contents of Failed-AVP raw instead of failing', () => {
    const inner: RawAvp = { code: 266, flags: 0x40, vendorId: 0, data: Buffer.from([1]) }; // bad Unsigned32
    const failed: RawAvp = {
      code: 279,
      flags: 0x40,
      vendorId: 0,
      data: encodeAvps([inner, str(7777, 'z', 0x40)]),
    };
    const bytes = rawMessage({ flags: 0x20, commandCode: 257, applicationId: 0 }, [
      u32(268, 5005),
      str(264, 'a.test'),
      str(296, 'test'),
      failed,
    ]);
    const msg = decodeMessage(bytes, dict);
    const fa = msg.avps.failedAvp as { rawAvps: RawAvp[] };
    assert.deepEqual(
      fa.rawAvps.map((a) => a.code),
      [266, 7777],
    );
  });

  it('the encoder refuses a message missing a required AVP, with a typed error', () => {
    assert.throws(
      () =>
        encodeMessage(
          { header: { ...CER, hopByHopId: 1, endToEndId: 1 }, avps: { originHost: 'a', originRealm: 'b' } },
          dict,
        ),
      (err: unknown) =>
        err instanceof DiameterEncodeError && err.resultCode === ResultCode.DIAMETER_MISSING_AVP,
    );
    assert.throws(
      () =>
        encodeMessage(
          {
            header: { ...CER, hopByHopId: 1, endToEndId: 1 },
            avps: { originHost: 'a', originRealm: 'b', hostIpAddress: ['x'], vendorId: 0, productName: 'p' },
          },
          dict,
        ),
      (err: unknown) => err instanceof DiameterEncodeError && /IPv4 or IPv6/.test(err.message),
    );
  });
});

describe('Enumerated values against the dictionary (RFC 6733 §7.1.5 5004)', () => {
  const DPR = { flags: 0x80, commandCode: 282, applicationId: 0 };
  const dpr = (cause: RawAvp) => rawMessage(DPR, [str(264, 'peer.ims.test'), str(296, 'ims.test'), cause]);
  const CX = 16777216;
  const uar = (userAuthorizationType: number) =>
    encodeMessage(
      {
        header: { flags: 0xc0, commandCode: 300, applicationId: CX, hopByHopId: 1, endToEndId: 1 },
        avps: {
          ...sampleGroup(dict.command(CX, 300)!.request),
          userAuthorizationType,
        },
      },
      dict,
    );

  it('5004 with the offending AVP in Failed-AVP for an unknown value with the M bit in a request', () => {
    const err = decodeError(dpr(u32(273, 9)));
    assert.equal(err.resultCode, ResultCode.DIAMETER_INVALID_AVP_VALUE);
    assert.deepEqual(err.failedAvp, [u32(273, 9)]);
    const cx = decodeError(uar(77));
    assert.equal(cx.resultCode, ResultCode.DIAMETER_INVALID_AVP_VALUE);
    assert.equal(cx.failedAvp?.[0]?.code, 623);
    assert.equal(cx.failedAvp?.[0]?.vendorId, 10415);
    assert.equal(cx.failedAvp?.[0]?.data.readUInt32BE(0), 77);
  });

  it('accepts every listed value, values of AVPs without the M bit, and any value in answers', () => {
    for (const v of [0, 1, 2]) assert.equal(decodeMessage(dpr(u32(273, v)), dict).avps.disconnectCause, v);
    for (const v of [0, 1, 2]) assert.equal(decodeMessage(uar(v), dict).avps.userAuthorizationType, v);
    assert.equal(decodeMessage(dpr(u32(273, 9, 0)), dict).avps.disconnectCause, 9);
    const uaa = encodeMessage(
      {
        header: { flags: 0x40, commandCode: 300, applicationId: CX, hopByHopId: 1, endToEndId: 1 },
        avps: { ...sampleGroup(dict.command(CX, 300)!.answer), authSessionState: 9 },
      },
      dict,
    );
    assert.equal(decodeMessage(uaa, dict).avps.authSessionState, 9);
  });

  it('reads 0xFFFFFFFF as the Integer32 -1 it is on the wire (Media-Type OTHER, TS 29.214 §5.3.19)', () => {
    const spec = dict.avpByName('Media-Type')!;
    assert.ok(spec.enumCodes?.has(-1));
    assert.ok(!spec.enumCodes?.has(4294967295));
  });

  it('knows the values added by later releases (TS 29.329, 29.214, 32.299; RFC 8581)', () => {
    const values = (name: string) => Object.values(dict.avpByName(name)?.enumValues ?? {});
    assert.ok([32, 33, 34, 35].every((v) => values('Data-Reference').includes(v)));
    assert.ok([17, 18, 19, 20].every((v) => values('Specific-Action').includes(v)));
    assert.ok([18, 19, 20, 21].every((v) => values('Node-Functionality').includes(v)));
    assert.ok(values('OC-Report-Type').includes(2));
  });
});

function encodeAvps(avps: RawAvp[]): Buffer {
  return rawMessage(CER, avps).subarray(20);
}
