import { ByteWriter } from '../codec/byte-writer.ts';
import type { DiameterHeader } from '../codec/header.ts';
import { decodeRawAvps } from '../codec/message-decoder.ts';
import { writeRawAvp } from '../codec/message-encoder.ts';
import { AvpFlag, CommandFlag, HEADER_LENGTH, type RawAvp } from '../codec/raw-avp.ts';

/** The AVPs routing looks at, read without the dictionary (as a relay must, RFC 6733 §2.8.2). */
export interface RoutingAvps {
  sessionId?: string;
  originHost?: string;
  destinationHost?: string;
  destinationRealm?: string;
  routeRecords: string[];
  /** Top-level AVPs kept for error answers: Proxy-Info and the application ids. */
  proxyInfo: RawAvp[];
  echo: RawAvp[];
}

const SESSION_ID = 263;
const ORIGIN_HOST = 264;
const DESTINATION_HOST = 293;
const DESTINATION_REALM = 283;
const ROUTE_RECORD = 282;
const PROXY_INFO = 284;
// Echoed in error answers so that they still fit the application's answer ABNF.
const ECHOED = new Set([260, 277, 258, 259]);

/** Reads the routing AVPs of a message. Throws DiameterDecodeError (5014) on a broken AVP list. */
export function scanRoutingAvps(bytes: Buffer, header: DiameterHeader): RoutingAvps {
  const out: RoutingAvps = { routeRecords: [], proxyInfo: [], echo: [] };
  for (const avp of decodeRawAvps(bytes, HEADER_LENGTH, header.length, header)) {
    if (avp.vendorId !== 0 && avp.flags & AvpFlag.Vendor) continue;
    const text = () => avp.data.toString('utf8');
    switch (avp.code) {
      case SESSION_ID:
        out.sessionId ??= text();
        break;
      case ORIGIN_HOST:
        out.originHost ??= text();
        break;
      case DESTINATION_HOST:
        out.destinationHost ??= text();
        break;
      case DESTINATION_REALM:
        out.destinationRealm ??= text();
        break;
      case ROUTE_RECORD:
        out.routeRecords.push(text());
        break;
      case PROXY_INFO:
        out.proxyInfo.push({ ...avp, data: Buffer.from(avp.data) });
        break;
      default:
        if (ECHOED.has(avp.code)) out.echo.push({ ...avp, data: Buffer.from(avp.data) });
    }
  }
  return out;
}

const RESULT_CODE = 268;
const EXPERIMENTAL_RESULT = 297;
const EXPERIMENTAL_RESULT_CODE = 298;

/**
 * The outcome an answer carries, read without the dictionary: Result-Code (RFC 6733 §7.1), or
 * the Experimental-Result-Code inside Experimental-Result (§7.7) that 3GPP applications use.
 * Undefined when there is neither, or the AVP list is broken.
 */
export function scanResultCode(
  bytes: Buffer,
  header: DiameterHeader,
): { code: number; experimental: boolean } | undefined {
  let avps: RawAvp[];
  try {
    avps = decodeRawAvps(bytes, HEADER_LENGTH, header.length, header);
  } catch {
    return undefined;
  }
  const u32 = (avp: RawAvp | undefined) => (avp?.data.length === 4 ? avp.data.readUInt32BE(0) : undefined);
  const base = (avp: RawAvp) => avp.vendorId === 0 || !(avp.flags & AvpFlag.Vendor);
  const result = u32(avps.find((a) => a.code === RESULT_CODE && base(a)));
  if (result !== undefined) return { code: result, experimental: false };
  const group = avps.find((a) => a.code === EXPERIMENTAL_RESULT && base(a));
  if (!group) return undefined;
  try {
    const inner = decodeRawAvps(group.data, 0, group.data.length);
    const code = u32(inner.find((a) => a.code === EXPERIMENTAL_RESULT_CODE && base(a)));
    return code === undefined ? undefined : { code, experimental: true };
  } catch {
    return undefined;
  }
}

/**
 * A copy of a message to forward: new hop-by-hop id, optionally a Route-Record appended
 * (RFC 6733 §6.1.9: relays and proxies add the identity of the peer the request came from) and
 * the T flag set (retransmission, §3).
 */
export function forwardCopy(
  bytes: Buffer,
  options: { hopByHopId: number; routeRecord?: string; retransmitted?: boolean },
): Buffer {
  const w = new ByteWriter(bytes.length + 64);
  w.bytes(bytes);
  if (options.routeRecord !== undefined) {
    writeRawAvp(w, {
      code: ROUTE_RECORD,
      flags: AvpFlag.Mandatory,
      vendorId: 0,
      data: Buffer.from(options.routeRecord),
    });
  }
  const out = Buffer.from(w.finish());
  out.writeUIntBE(out.length, 1, 3);
  out.writeUInt32BE(options.hopByHopId >>> 0, 12);
  if (options.retransmitted) out[4] = out[4]! | CommandFlag.Retransmitted;
  return out;
}

/** A copy of an answer with another hop-by-hop id (a relay restores the one it received). */
export function withHopByHop(bytes: Buffer, hopByHopId: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt32BE(hopByHopId >>> 0, 12);
  return out;
}

/** A copy of a request with the T flag set. */
export function withRetransmitFlag(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out[4] = out[4]! | CommandFlag.Retransmitted;
  return out;
}
