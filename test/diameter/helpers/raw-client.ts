import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { AvpValues } from '../../../src/diameter/codec/message.ts';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { MessageFramer } from '../../../src/diameter/codec/message-framer.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import type { Dictionary } from '../../../src/diameter/dictionary/dictionary.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { VSAI_CX } from './nodes.ts';

export type RawEvent = { kind: 'message'; bytes: Buffer } | { kind: 'close' };

/** A raw TCP connection to a node: send bytes, await the next message (requests skipped) or the close. */
export interface RawClient {
  socket: Socket;
  send(bytes: Buffer): void;
  /** The next answer, or the close; undefined after `timeoutMs`. Requests from the node (DWR) are skipped. */
  next(timeoutMs?: number): Promise<RawEvent | undefined>;
  /** The bytes of the next answer; throws if the connection closes or nothing comes in `timeoutMs`. */
  answer(timeoutMs?: number): Promise<Buffer>;
}

export async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  const framer = new MessageFramer();
  const events: RawEvent[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    try {
      for (const bytes of framer.push(d)) {
        if (!(bytes[4]! & CommandFlag.Request)) events.push({ kind: 'message', bytes });
      }
    } catch {
      socket.destroy();
    }
    wake?.();
  });
  socket.on('close', () => {
    events.push({ kind: 'close' });
    wake?.();
  });
  const client: RawClient = {
    socket,
    send: (bytes) => socket.write(bytes),
    async answer(timeoutMs = 3000) {
      const event = await client.next(timeoutMs);
      if (event?.kind !== 'message') throw new Error(event ? 'closed before an answer' : 'no answer in time');
      return event.bytes;
    },
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, left).unref();
        });
      }
      return events.shift();
    },
  };
  return client;
}

/** A raw connection that has completed CER/CEA (DIAMETER_SUCCESS) as `originHost`; `avps` as for rawCer. */
export async function rawPeer(
  port: number,
  dict: Dictionary,
  originHost: string,
  avps: AvpValues = {},
): Promise<RawClient> {
  const c = await rawClient(port);
  c.send(rawCer(dict, originHost, avps));
  const cea = await c.next();
  assert.ok(cea?.kind === 'message', 'a CEA');
  assert.equal(decodeMessage(cea.bytes, dict).avps.resultCode, ResultCode.DIAMETER_SUCCESS);
  return c;
}

/** A CER from `originHost` offering Cx (unless `avps` changes or removes, with undefined, what it offers). */
export function rawCer(dict: Dictionary, originHost: string, avps: AvpValues = {}): Buffer {
  return encodeMessage(
    {
      header: {
        flags: CommandFlag.Request,
        commandCode: 257,
        applicationId: 0,
        hopByHopId: 1,
        endToEndId: 1,
      },
      avps: {
        originHost,
        originRealm: 'ims.test',
        hostIpAddress: ['127.0.0.1'],
        vendorId: 0,
        productName: 'raw-client',
        vendorSpecificApplicationId: [VSAI_CX],
        authApplicationId: [16777217],
        ...avps,
      },
    },
    dict,
  );
}
