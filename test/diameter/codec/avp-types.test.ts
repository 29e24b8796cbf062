import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readValue, writeValue } from '../../../src/diameter/codec/avp-value.ts';
import { ByteWriter } from '../../../src/diameter/codec/byte-writer.ts';
import { bytesToIp, ipToBytes } from '../../../src/diameter/codec/ip-address.ts';
import type { AvpSpec } from '../../../src/diameter/dictionary/dictionary.ts';
import type { AvpType } from '../../../src/diameter/dictionary/types.ts';
import { DiameterEncodeError } from '../../../src/diameter/errors.ts';

function spec(type: AvpType): AvpSpec {
  return {
    def: { name: `T-${type}`, code: 1, vendorId: 0, type, mandatory: 'may', clause: '' },
    key: 't',
    flags: 0,
  };
}
function enc(type: AvpType, v: unknown): Buffer {
  const w = new ByteWriter(4);
  writeValue(w, spec(type), v);
  return Buffer.from(w.finish());
}

describe('AVP base types (RFC 6733 §4.2-4.3)', () => {
  it('Time is NTP seconds; values with the top bit clear are 2036-2104 (RFC 4330 §3)', () => {
    // 1970-01-01 is 2208988800 s after the NTP epoch.
    assert.equal(enc('Time', new Date('1970-01-01T00:00:00Z')).toString('hex'), '83aa7e80');
    const after2036 = new Date('2040-01-01T00:00:00Z');
    const bytes = enc('Time', after2036);
    assert.ok(bytes[0]! < 0x80);
    assert.deepEqual(readValue(spec('Time'), bytes), after2036);
  });

  it('Address carries the IANA family: 1 for IPv4, 2 for IPv6', () => {
    assert.equal(enc('Address', '10.1.2.3').toString('hex'), '00010a010203');
    assert.equal(enc('Address', '2001:db8::1').toString('hex'), '000220010db8000000000000000000000001');
    assert.equal(
      readValue(spec('Address'), Buffer.from('000220010db8000000000000000000000001', 'hex')),
      '2001:db8::1',
    );
  });

  it('an Address of another family (E.164 = 8, §4.3.1) is kept as { family, bytes } and written back', () => {
    const e164 = Buffer.from('00083436373031323334', 'hex');
    const value = readValue(spec('Address'), e164);
    assert.deepEqual(value, { family: 8, bytes: Buffer.from('46701234') });
    assert.deepEqual(enc('Address', value), e164);
    // A family with no address bytes at all, and the highest family number, read as well.
    assert.deepEqual(readValue(spec('Address'), Buffer.from('0003', 'hex')), {
      family: 3,
      bytes: Buffer.alloc(0),
    });
    assert.deepEqual(readValue(spec('Address'), Buffer.from('ffff0102', 'hex')), {
      family: 0xffff,
      bytes: Buffer.from([1, 2]),
    });
    assert.throws(() => enc('Address', { family: 0x10000, bytes: Buffer.alloc(0) }), DiameterEncodeError);
    assert.throws(() => enc('Address', { family: 8 }), DiameterEncodeError);
  });

  it('formats IPv6 canonically (RFC 5952) and parses embedded IPv4', () => {
    for (const [text, canonical] of [
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['::', '::'],
      ['::1', '::1'],
      ['fe80::', 'fe80::'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ] as const) {
      assert.equal(bytesToIp(ipToBytes(text)!), canonical, text);
    }
    assert.equal(ipToBytes('not an ip'), undefined);
  });

  it('integers are range-checked and 64-bit ones are bigints', () => {
    assert.equal(enc('Integer32', -1).toString('hex'), 'ffffffff');
    assert.equal(enc('Unsigned64', 2n ** 64n - 1n).toString('hex'), 'ffffffffffffffff');
    assert.equal(readValue(spec('Integer64'), Buffer.from('ffffffffffffffff', 'hex')), -1n);
    assert.equal(enc('Float32', 1.5).toString('hex'), '3fc00000');
    assert.equal(enc('Float64', -2).toString('hex'), 'c000000000000000');
    assert.throws(() => enc('Unsigned32', -1), DiameterEncodeError);
    assert.throws(() => enc('Unsigned32', 1.5), DiameterEncodeError);
    assert.throws(() => enc('Integer32', 2 ** 31), DiameterEncodeError);
    assert.throws(() => enc('Unsigned64', -1n), DiameterEncodeError);
  });

  it('Enumerated accepts a label of the dictionary as well as the number', () => {
    const s = { ...spec('Enumerated'), enumValues: { REGISTRATION: 1 } };
    const w = new ByteWriter();
    writeValue(w, s, 'REGISTRATION');
    assert.equal(w.finish().toString('hex'), '00000001');
    assert.throws(() => writeValue(new ByteWriter(), s, 'NOPE'), DiameterEncodeError);
  });
});
