import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { MessageFramer } from '../../../src/diameter/codec/message-framer.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import type { Dictionary } from '../../../src/diameter/dictionary/dictionary.ts';
import { VSAI_CX } from './nodes.ts';

export type RawEvent = { kind: 'message'; bytes: Buffer } | { kind: 'close' };

/** A raw TCP connection to a node: send bytes, await the next message (requests skipped) or the close. */
export interface RawClient {
  socket: Socket;
  send(bytes: Buffer): void;
  /** The next answer, or the close; undefined after `timeoutMs`. Requests from the node (DWR) are skipped. */
  next(timeoutMs?: number): Promise<RawEvent | undefined>;
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
  return {
    socket,
    send: (bytes) => socket.write(bytes),
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
}

/** A CER from `originHost` offering Cx and Sh. */
export function rawCer(dict: Dictionary, originHost: string): Buffer {
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
      },
    },
    dict,
  );
}
