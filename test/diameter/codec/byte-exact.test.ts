import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { createStandardDictionary } from '../../../src/diameter/dictionary/standard.ts';

const dict = createStandardDictionary();

/** Hex written by hand from the RFC 6733 §3 and §4.1 layouts, one field per line. */
function hex(lines: string): Buffer {
  return Buffer.from(lines.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');
}

describe('byte-exact encodings (RFC 6733 §3, §4.1)', () => {
  it('encodes a CER exactly as laid out by hand', () => {
    const expected = hex(`
      01 000074            # version 1, length 116
      80 000101            # flags R, command code 257 (Capabilities-Exchange)
      00000000             # application id 0
      11223344             # hop-by-hop id
      55667788             # end-to-end id
      00000108 40 000017   # Origin-Host (264), M, length 8+15
      636c69656e742e696d732e74657374 00      # "client.ims.test" + 1 byte padding
      00000128 40 000010   # Origin-Realm (296), M, length 16
      696d732e74657374     # "ims.test"
      00000101 40 00000e   # Host-IP-Address (257), M, length 14
      0001 7f000001 0000   # family 1 (IPv4), 127.0.0.1, 2 bytes padding
      0000010a 40 00000c   # Vendor-Id (266), M, length 12
      000028af             # 10415
      0000010d 00 000010   # Product-Name (269), no M (MUST NOT), length 16
      696d732d636f7265     # "ims-core"
      00000102 40 00000c   # Auth-Application-Id (258), M, length 12
      01000000             # 16777216 (Cx)
    `);
    const encoded = encodeMessage(
      {
        header: {
          flags: 0x80,
          commandCode: 257,
          applicationId: 0,
          hopByHopId: 0x11223344,
          endToEndId: 0x55667788,
        },
        avps: {
          originHost: 'client.ims.test',
          originRealm: 'ims.test',
          hostIpAddress: ['127.0.0.1'],
          vendorId: 10415,
          productName: 'ims-core',
          authApplicationId: [16777216],
        },
      },
      dict,
    );
    assert.equal(encoded.toString('hex'), expected.toString('hex'));
    const decoded = decodeMessage(expected, dict);
    assert.equal(decoded.header.length, 116);
    assert.equal(decoded.avps.originHost, 'client.ims.test');
    assert.deepEqual(decoded.avps.hostIpAddress, ['127.0.0.1']);
    assert.equal(decoded.avps.productName, 'ims-core');
  });

  it('encodes a Cx UAR exactly as laid out by hand (TS 29.229 §6.1.1)', () => {
    const expected = hex(`
      01 0000e0            # version 1, length 224
      c0 00012c            # flags R+P, command code 300 (User-Authorization)
      01000000             # application id 16777216 (Cx)
      00000001             # hop-by-hop id
      00000002             # end-to-end id
      00000107 40 00001a   # Session-Id (263), M, length 26
      69637363662e696d732e746573743b313b31 0000   # "icscf.ims.test;1;1" + padding
      00000104 40 000020   # Vendor-Specific-Application-Id (260), M, length 32
        0000010a 40 00000c 000028af             # Vendor-Id 10415
        00000102 40 00000c 01000000             # Auth-Application-Id 16777216
      00000115 40 00000c   # Auth-Session-State (277)
      00000001             # NO_STATE_MAINTAINED
      00000108 40 000016   # Origin-Host, length 22
      69637363662e696d732e74657374 0000           # "icscf.ims.test" + padding
      00000128 40 000010 696d732e74657374         # Origin-Realm "ims.test"
      0000011b 40 000010 696d732e74657374         # Destination-Realm (283) "ims.test"
      00000001 40 000016   # User-Name (1), length 22
      616c69636540696d732e74657374 0000           # "alice@ims.test" + padding
      00000259 c0 00001e   # Public-Identity (601), V+M, length 30
      000028af             # vendor 10415
      7369703a616c69636540696d732e74657374 0000   # "sip:alice@ims.test" + padding
      00000258 c0 000014   # Visited-Network-Identifier (600), V+M, length 20
      000028af 696d732e74657374                   # vendor 10415, "ims.test"
    `);
    const encoded = encodeMessage(
      {
        header: { flags: 0xc0, commandCode: 300, applicationId: 16777216, hopByHopId: 1, endToEndId: 2 },
        avps: {
          // Given out of ABNF order on purpose: the encoder writes ABNF order.
          publicIdentity: 'sip:alice@ims.test',
          visitedNetworkIdentifier: Buffer.from('ims.test'),
          userName: 'alice@ims.test',
          sessionId: 'icscf.ims.test;1;1',
          vendorSpecificApplicationId: { authApplicationId: 16777216, vendorId: 10415 },
          authSessionState: 1,
          originHost: 'icscf.ims.test',
          originRealm: 'ims.test',
          destinationRealm: 'ims.test',
        },
      },
      dict,
    );
    assert.equal(encoded.toString('hex'), expected.toString('hex'));
    const decoded = decodeMessage(expected, dict);
    assert.deepEqual(decoded.avps.vendorSpecificApplicationId, {
      vendorId: 10415,
      authApplicationId: 16777216,
    });
    assert.equal(decoded.avps.publicIdentity, 'sip:alice@ims.test');
    assert.deepEqual(decoded.avps.visitedNetworkIdentifier, Buffer.from('ims.test'));
  });
});
