import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowTokenCodec, flowKey } from '../../../src/functions/pcscf/flow-token.ts';
import type { Flow } from '../../../src/sip/transport/types.ts';

const udpFlow: Flow = {
  protocol: 'udp',
  local: { host: '127.0.0.1', port: 5060 },
  remote: { host: '10.0.0.7', port: 40112 },
};
const tcpFlow: Flow = {
  protocol: 'tcp',
  local: { host: '127.0.0.1', port: 5060 },
  remote: { host: '10.0.0.8', port: 51000 },
  connectionId: 'c42',
};

describe('RFC 5626 §5.2 flow tokens (P-CSCF)', () => {
  it('a token decodes to the flow it was minted for; the same flow gets the same token', () => {
    const codec = new FlowTokenCodec(Buffer.alloc(32, 1));
    const token = codec.encode(tcpFlow);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.equal(
      codec.encode({ ...tcpFlow, local: { ...tcpFlow.local }, remote: { ...tcpFlow.remote } }),
      token,
    );
    assert.deepEqual(codec.decode(token), tcpFlow);
    assert.notEqual(codec.encode(udpFlow), token);
    assert.deepEqual(codec.decode(codec.encode(udpFlow)), udpFlow);
  });

  it('a decoded flow is a copy: changing it changes nothing the codec keeps', () => {
    const codec = new FlowTokenCodec(Buffer.alloc(32, 2));
    const token = codec.encode(udpFlow);
    const first = codec.decode(token)!;
    first.remote.port = 1;
    assert.equal(codec.decode(token)?.remote.port, udpFlow.remote.port);
  });

  it('tokens of another key, tampered tokens and garbage name no flow', () => {
    const codec = new FlowTokenCodec(Buffer.alloc(32, 3));
    const other = new FlowTokenCodec(Buffer.alloc(32, 4));
    const token = codec.encode(udpFlow);
    assert.equal(other.decode(token), undefined);
    const raw = Buffer.from(token, 'base64url');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1); // the UE port changed, the MAC kept
    assert.equal(codec.decode(raw.toString('base64url')), undefined);
    assert.equal(codec.decode('not a token!'), undefined);
    assert.equal(codec.decode(''), undefined);
    assert.equal(codec.decode(undefined), undefined);
  });

  it('flowKey: the connection for streams, the address for UDP', () => {
    assert.equal(flowKey(tcpFlow), 'tcp#c42');
    assert.equal(flowKey(udpFlow), 'udp:10.0.0.7:40112');
  });
});
