import { ByteWriter } from '../../../src/diameter/codec/byte-writer.ts';
import { writeHeader } from '../../../src/diameter/codec/header.ts';
import { writeRawAvp } from '../../../src/diameter/codec/message-encoder.ts';
import type { RawAvp } from '../../../src/diameter/codec/raw-avp.ts';

/** Builds a message from raw AVPs, bypassing every dictionary check (to test the decoder). */
export function rawMessage(
  header: {
    flags: number;
    commandCode: number;
    applicationId: number;
    hopByHopId?: number;
    endToEndId?: number;
  },
  avps: RawAvp[],
): Buffer {
  const w = new ByteWriter();
  w.ensure(20);
  w.pos = 20;
  for (const avp of avps) writeRawAvp(w, avp);
  writeHeader(w.raw(), { version: 1, length: w.pos, hopByHopId: 1, endToEndId: 2, ...header }, w.pos);
  return Buffer.from(w.finish());
}

export const str = (code: number, s: string, flags = 0x40, vendorId = 0): RawAvp => ({
  code,
  flags: vendorId ? flags | 0x80 : flags,
  vendorId,
  data: Buffer.from(s),
});

export const u32 = (code: number, v: number, flags = 0x40, vendorId = 0): RawAvp => {
  const data = Buffer.alloc(4);
  data.writeUInt32BE(v);
  return { code, flags: vendorId ? flags | 0x80 : flags, vendorId, data };
};
