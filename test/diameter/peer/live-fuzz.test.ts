// Fuzzing a live peer connection: a raw TCP client completes a valid CER/CEA with one of our nodes,
// then sends thousands of mutated requests (every Cx, Sh, Rx and Rf request as seeds). Each must
// get an answer carrying a Result-Code (an error one when the request does not decode) or a clean
// close of the connection, after which the client reconnects. The node stays up and answers a
// valid request at the end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CxApplication } from '../../../src/diameter/apps/cx.ts';
import { experimentalResult } from '../../../src/diameter/apps/result.ts';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import { DiameterDecodeError } from '../../../src/diameter/errors.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { mutateBytes, prng } from '../helpers/mutate.ts';
import { node, uarAvps } from '../helpers/nodes.ts';
import { rawPeer } from '../helpers/raw-client.ts';
import { sampleGroup } from '../helpers/sample-values.ts';

const MAX_MESSAGES = 10_000;
const MAX_MS = 15_000;
const ANSWER_TIMEOUT = 3000;
const ALL = [
  { id: 16777216, vendorId: 10415, kind: 'auth' as const },
  { id: 16777217, vendorId: 10415, kind: 'auth' as const },
  { id: 16777236, vendorId: 10415, kind: 'auth' as const },
  { id: 3, vendorId: 0, kind: 'acct' as const },
];

let hss: DiameterNode;

before(async () => {
  hss = node({
    originHost: 'hss.ims.test',
    applications: ALL,
    acceptUnknownPeers: true,
    // Long watchdog: the raw client does not answer DWRs.
    twInit: 60_000,
  });
  new CxApplication(hss).onUserAuthorization(() => ({
    ...experimentalResult(2001),
    serverName: 'sip:scscf.ims.test',
  }));
  await hss.start();
});
after(() => hss.close());

/** A raw connection that has done CER/CEA; next() gives the next answer or the close. */
function open(port: number) {
  return rawPeer(port, hss.dictionary, 'fuzzer.ims.test', {
    productName: 'fuzzer',
    authApplicationId: [16777217, 16777236],
    acctApplicationId: [3],
  });
}

/**
 * The Result-Code (or Experimental-Result-Code) of an answer, read from the raw AVPs: an error
 * answer may lack AVPs the command requires (e.g. the Session-Id of a request whose Session-Id
 * was mangled, RFC 6733 §7.2), so the dictionary decoder is not used.
 */
function resultCodeOf(bytes: Buffer, start = 20, end = bytes.length): number | undefined {
  for (let at = start; at + 8 <= end; ) {
    const code = bytes.readUInt32BE(at);
    const vendor = (bytes[at + 4]! & 0x80) !== 0;
    const length = bytes.readUIntBE(at + 5, 3);
    const data = at + (vendor ? 12 : 8);
    if (length < data - at || at + length > end) return undefined;
    if (code === 268 || code === 298) return bytes.readUInt32BE(data);
    if (code === 297) {
      const inner = resultCodeOf(bytes, data, at + length);
      if (inner !== undefined) return inner;
    }
    at += (length + 3) & ~3;
  }
  return undefined;
}

describe('fuzzing a live peer connection', () => {
  it('mutated requests after a valid CER get an answer with a Result-Code or a clean close', async (t) => {
    const dict = hss.dictionary;
    const seeds = dict
      .allCommands()
      .filter((c) => c.def.applicationId !== 0)
      .map((c) =>
        encodeMessage(
          {
            header: {
              flags: CommandFlag.Request | (c.def.proxiable ? CommandFlag.Proxiable : 0),
              commandCode: c.def.code,
              applicationId: c.def.applicationId,
              hopByHopId: 1,
              endToEndId: 1,
            },
            avps: {
              ...sampleGroup(c.request),
              originHost: 'fuzzer.ims.test',
              originRealm: 'ims.test',
              destinationRealm: 'ims.test',
              ...('destinationHost' in sampleGroup(c.request) ? { destinationHost: 'hss.ims.test' } : {}),
            },
          },
          dict,
        ),
      );
    const rnd = prng(0xfe11);
    let conn = await open(hss.port);
    const stats = { sent: 0, answered: 0, errors: 0, closes: 0 };
    const closedOn = new Map<string, number>();
    const start = Date.now();
    while (stats.sent < MAX_MESSAGES && Date.now() - start < MAX_MS) {
      const n = stats.sent++;
      let bytes = mutateBytes(seeds[n % seeds.length]!, rnd, true);
      // Most of the time keep the length a multiple of 4, or the framer (rightly) closes the
      // connection with 5015 and the AVP-level checks behind it are never reached.
      if (bytes.length % 4 !== 0 && rnd() < 0.8) {
        bytes = Buffer.concat([bytes, Buffer.alloc(4 - (bytes.length % 4))]);
        bytes.writeUIntBE(bytes.length, 1, 3);
      }
      // Below a full header the node cannot know the message has ended: complete the header.
      if (bytes.length < 20) {
        bytes = Buffer.concat([bytes, Buffer.alloc(20 - bytes.length)]);
        bytes[0] = 1;
        bytes.writeUIntBE(20, 1, 3);
      }
      bytes[4]! |= CommandFlag.Request;
      bytes.writeUInt32BE(0x10000 + n, 12); // hop-by-hop id, to match the answer
      bytes.writeUInt32BE(0x10000 + n, 16); // fresh End-to-End id: not a duplicate
      let undecodable = false;
      let verdict = `${bytes.readUIntBE(5, 3)}:ok`;
      try {
        decodeMessage(bytes, dict);
      } catch (err) {
        assert.ok(err instanceof DiameterDecodeError, String(err));
        undecodable = true;
        verdict = `${bytes.readUIntBE(5, 3)}:${err.resultCode}`;
      }
      conn.socket.write(bytes);
      for (;;) {
        const ev = await conn.next(ANSWER_TIMEOUT);
        assert.ok(ev, `message ${n} got neither an answer nor a close: ${bytes.toString('hex')}`);
        if (ev.kind === 'close') {
          stats.closes++;
          closedOn.set(verdict.split(':')[1]!, (closedOn.get(verdict.split(':')[1]!) ?? 0) + 1);
          conn = await open(hss.port);
          break;
        }
        if (ev.bytes[4]! & CommandFlag.Request) continue; // a DWR from the node: not for us
        assert.equal(ev.bytes.readUInt32BE(12), 0x10000 + n, `answer to message ${n}`);
        const code = resultCodeOf(ev.bytes);
        assert.equal(typeof code, 'number', `answer to message ${n} has a Result-Code`);
        if (undecodable) assert.ok((code as number) >= 3000, `message ${n} is bad but got ${code}`);
        if ((code as number) >= 3000) stats.errors++;
        stats.answered++;
        break;
      }
    }
    conn.socket.destroy();
    assert.ok(stats.sent >= 1000, `only ${stats.sent} sent in ${MAX_MS} ms`);
    assert.ok(stats.errors > stats.sent / 4, JSON.stringify(stats));

    // Still usable: a valid UAR on a fresh connection is answered with success.
    const last = await open(hss.port);
    last.socket.write(
      encodeMessage(
        {
          header: { flags: 0xc0, commandCode: 300, applicationId: 16777216, hopByHopId: 7, endToEndId: 7 },
          avps: { ...uarAvps(hss), originHost: 'fuzzer.ims.test', originRealm: 'ims.test' },
        },
        dict,
      ),
    );
    let ev = await last.next(ANSWER_TIMEOUT);
    while (ev?.kind === 'message' && ev.bytes[4]! & CommandFlag.Request) ev = await last.next(ANSWER_TIMEOUT);
    assert.ok(ev?.kind === 'message', 'the UAA');
    const uaa = decodeMessage(ev.bytes, dict);
    assert.deepEqual(uaa.avps.experimentalResult, { vendorId: 10415, experimentalResultCode: 2001 });
    last.socket.destroy();
    t.diagnostic(
      `live fuzz: ${JSON.stringify(stats)} in ${Date.now() - start} ms; closed on ${JSON.stringify([...closedOn].sort((a, b) => b[1] - a[1]).slice(0, 12))}`,
    );
  });
});
