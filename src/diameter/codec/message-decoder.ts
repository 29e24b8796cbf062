import type { AvpSpec, Dictionary, RuleSet } from '../dictionary/dictionary.ts';
import { DiameterDecodeError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import { AvpValueError, minimumData, readValue } from './avp-value.ts';
import { type DiameterHeader, isRequest, readHeader } from './header.ts';
import type { AvpValue, AvpValues, DiameterMessage } from './message.ts';
import { AvpFlag, CommandFlag, HEADER_LENGTH, type RawAvp } from './raw-avp.ts';

/** Grouped AVPs nest at most this deep; deeper input is refused (5004) instead of recursing. */
const MAX_DEPTH = 16;

const ANY: RuleSet = { rules: [], allowsAny: true, bySpec: new Map(), byKey: new Map() };

interface Context {
  readonly dict: Dictionary;
  readonly header: DiameterHeader;
  /** False for commands the dictionary does not know: their unknown M-bit AVPs are kept raw. */
  readonly strict: boolean;
  /** Enumerated values outside the dictionary are refused in requests only (5004). */
  readonly request: boolean;
}

/**
 * Decodes one whole message (exactly `header.length` bytes are read) against the dictionary and
 * the command's ABNF. Never throws anything but DiameterDecodeError, whose resultCode,
 * failedAvp and header say how to answer (RFC 6733 §7.1.3-7.1.5).
 */
export function decodeMessage(buf: Buffer, dict: Dictionary): DiameterMessage {
  const header = readHeader(buf);
  const command = dict.command(header.applicationId, header.commandCode);
  const request = isRequest(header);
  // RFC 6733 §7.1.3 DIAMETER_INVALID_HDR_BITS: bits "inconsistent with the Command Code's definition".
  if (command && request && Boolean(header.flags & CommandFlag.Proxiable) !== command.def.proxiable) {
    throw new DiameterDecodeError(
      `P bit ${command.def.proxiable ? 'missing on' : 'set on'} ${command.def.abbreviations[0]}`,
      ResultCode.DIAMETER_INVALID_HDR_BITS,
      header,
    );
  }
  const rules = !command
    ? ANY
    : header.flags & CommandFlag.Error
      ? dict.errorAnswer
      : request
        ? command.request
        : command.answer;
  const ctx: Context = { dict, header, strict: command !== undefined, request };
  const avps = decodeGroup(ctx, buf, HEADER_LENGTH, header.length, rules, 0, false);
  return { header, avps };
}

/** Reads a raw AVP list (no dictionary), as a relay does. Throws DiameterDecodeError (5014). */
export function decodeRawAvps(buf: Buffer, start: number, end: number, header?: DiameterHeader): RawAvp[] {
  const out: RawAvp[] = [];
  let off = start;
  while (off < end) {
    const { avp, next } = readRawAvp(buf, off, end, header, undefined);
    out.push(avp);
    off = next;
  }
  return out;
}

function readRawAvp(
  buf: Buffer,
  off: number,
  end: number,
  header: DiameterHeader | undefined,
  dict: Dictionary | undefined,
): { avp: RawAvp; next: number } {
  if (end - off < 8) {
    throw new DiameterDecodeError(
      `${end - off} trailing bytes cannot hold an AVP header`,
      ResultCode.DIAMETER_INVALID_MESSAGE_LENGTH,
      header,
    );
  }
  const code = buf.readUInt32BE(off);
  const flags = buf[off + 4]!;
  const length = buf.readUIntBE(off + 5, 3);
  const vendor = (flags & AvpFlag.Vendor) !== 0;
  const headerLength = vendor ? 12 : 8;
  const vendorId = vendor && end - off >= 12 ? buf.readUInt32BE(off + 8) : 0;
  if (length < headerLength || off + length > end) {
    // RFC 6733 §7.1.5 DIAMETER_INVALID_AVP_LENGTH: "it is sufficient to include the offending AVP
    // header and a zero filled payload of the minimum required length for the payload field".
    const type = dict?.avp(code, vendorId)?.def.type;
    throw new DiameterDecodeError(
      `AVP ${code} has length ${length} (${end - off} bytes left)`,
      ResultCode.DIAMETER_INVALID_AVP_LENGTH,
      header,
      { failedAvp: [{ code, flags, vendorId, data: type ? minimumData(type) : Buffer.alloc(0) }] },
    );
  }
  const data = buf.subarray(off + headerLength, off + length);
  const next = Math.min(end, off + ((length + 3) & ~3));
  return { avp: { code, flags, vendorId, data }, next };
}

function copyRaw(avp: RawAvp): RawAvp {
  return { ...avp, data: Buffer.from(avp.data) };
}

function decodeGroup(
  ctx: Context,
  buf: Buffer,
  start: number,
  end: number,
  rules: RuleSet,
  depth: number,
  lenient: boolean,
): AvpValues {
  const out: AvpValues = {};
  let off = start;
  while (off < end) {
    const { avp, next } = readRawAvp(buf, off, end, ctx.header, ctx.dict);
    off = next;
    const spec = ctx.dict.avp(avp.code, avp.vendorId);
    if (!spec) {
      // RFC 6733 §4.1: an unrecognised AVP with the M bit makes the message fail with 5001.
      if (avp.flags & AvpFlag.Mandatory && ctx.strict && !lenient) {
        throw new DiameterDecodeError(
          `unknown AVP ${avp.code} (vendor ${avp.vendorId}) with the M bit`,
          ResultCode.DIAMETER_AVP_UNSUPPORTED,
          ctx.header,
          { failedAvp: [copyRaw(avp)] },
        );
      }
      (out.rawAvps ??= []).push(copyRaw(avp));
      continue;
    }
    const rule = rules.bySpec.get(spec);
    if (!rule && !rules.allowsAny) {
      if (lenient) {
        (out.rawAvps ??= []).push(copyRaw(avp));
        continue;
      }
      throw new DiameterDecodeError(
        `AVP ${spec.def.name} not allowed here`,
        ResultCode.DIAMETER_AVP_NOT_ALLOWED,
        ctx.header,
        {
          failedAvp: [copyRaw(avp)],
        },
      );
    }
    let value: AvpValue;
    try {
      value = decodeValue(ctx, spec, avp, depth, lenient);
    } catch (err) {
      if (!lenient) throw err;
      (out.rawAvps ??= []).push(copyRaw(avp));
      continue;
    }
    const existing = out[spec.key];
    if (rule && rule.max === 1) {
      if (existing !== undefined) {
        if (lenient) continue;
        throw new DiameterDecodeError(
          `AVP ${spec.def.name} occurs more than once`,
          ResultCode.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES,
          ctx.header,
          { failedAvp: [copyRaw(avp)] },
        );
      }
      out[spec.key] = value;
    } else if (existing === undefined) {
      out[spec.key] = [value];
    } else {
      (existing as AvpValue[]).push(value);
      if (rule && (existing as AvpValue[]).length > rule.max && !lenient) {
        throw new DiameterDecodeError(
          `AVP ${spec.def.name} occurs more than ${rule.max} times`,
          ResultCode.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES,
          ctx.header,
          { failedAvp: [copyRaw(avp)] },
        );
      }
    }
  }
  if (!lenient) checkRequired(ctx, out, rules);
  return out;
}

function decodeValue(ctx: Context, spec: AvpSpec, avp: RawAvp, depth: number, lenient: boolean): AvpValue {
  // RFC 6733 §7.1.3 DIAMETER_INVALID_AVP_BITS: flag bits "inconsistent with the AVP's definition".
  if (avp.flags & AvpFlag.Mandatory && spec.def.mandatory === 'mustNot' && ctx.strict) {
    throw new DiameterDecodeError(
      `M bit set on ${spec.def.name}`,
      ResultCode.DIAMETER_INVALID_AVP_BITS,
      ctx.header,
      {
        failedAvp: [copyRaw(avp)],
      },
    );
  }
  if (spec.def.type !== 'Grouped') {
    let value: AvpValue;
    try {
      value = readValue(spec, avp.data);
    } catch (err) {
      if (!(err instanceof AvpValueError)) throw err;
      throw new DiameterDecodeError(err.message, err.resultCode, ctx.header, { failedAvp: [copyRaw(avp)] });
    }
    // RFC 6733 §7.1.5 DIAMETER_INVALID_AVP_VALUE: "an AVP with an invalid value in its data
    // portion", Failed-AVP holding it. An Enumerated value the dictionary does not list is refused
    // when the AVP carries the M bit in a request (§4.1: the receiver must understand it); AVPs
    // without the M bit, answers, and Enumerated AVPs the dictionary lists no values for pass.
    const codes = spec.enumCodes;
    if (
      codes !== undefined &&
      ctx.request &&
      ctx.strict &&
      !lenient &&
      avp.flags & AvpFlag.Mandatory &&
      !codes.has(value as number)
    ) {
      throw new DiameterDecodeError(
        `${spec.def.name}: ${value as number} is not one of its values`,
        ResultCode.DIAMETER_INVALID_AVP_VALUE,
        ctx.header,
        { failedAvp: [copyRaw(avp)] },
      );
    }
    return value;
  }
  if (depth >= MAX_DEPTH) {
    throw new DiameterDecodeError(
      `grouped AVPs nested deeper than ${MAX_DEPTH}`,
      ResultCode.DIAMETER_INVALID_AVP_VALUE,
      ctx.header,
      { failedAvp: [copyRaw(avp)] },
    );
  }
  const members = spec.members!;
  const data = avp.data;
  // Failed-AVP carries arbitrary, possibly broken AVPs: read what can be read, keep the rest raw.
  const inner = lenient || spec.def.name === 'Failed-AVP';
  return decodeGroup(ctx, data, 0, data.length, members, depth + 1, inner);
}

function checkRequired(ctx: Context, out: AvpValues, rules: RuleSet): void {
  for (const rule of rules.rules) {
    if (rule.min === 0) continue;
    const v = out[rule.key];
    const count = v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
    if (count >= rule.min) continue;
    const spec = rule.spec!;
    // RFC 6733 §7.5: for a missing AVP, Failed-AVP holds "an example of the missing AVP complete
    // with the Vendor-Id if applicable. The value field of the missing AVP should be of correct
    // minimum length and contain zeroes."
    throw new DiameterDecodeError(
      `missing AVP ${spec.def.name}`,
      ResultCode.DIAMETER_MISSING_AVP,
      ctx.header,
      {
        failedAvp: [
          {
            code: spec.def.code,
            flags: spec.flags,
            vendorId: spec.def.vendorId,
            data: minimumData(spec.def.type),
          },
        ],
      },
    );
  }
}
