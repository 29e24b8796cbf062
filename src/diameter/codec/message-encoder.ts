import { RAW_AVPS_KEY } from '../dictionary/avp-key.ts';
import type { AvpSpec, Dictionary, RuleSet } from '../dictionary/dictionary.ts';
import { DiameterEncodeError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import { writeValue } from './avp-value.ts';
import { ByteWriter } from './byte-writer.ts';
import { writeHeader } from './header.ts';
import type { AvpValues, MessageInit } from './message.ts';
import { AvpFlag, CommandFlag, HEADER_LENGTH, type RawAvp } from './raw-avp.ts';

/** Everything that does not fit in the 24-bit length field is refused. */
const MAX_LENGTH = 0xffffff;

interface Context {
  readonly dict: Dictionary;
  readonly applicationId: number;
  readonly what: string;
}

export interface EncodeOptions {
  /**
   * false: skip the command's ABNF (AVPs in the order given). For answers the node builds to
   * requests it could not read, which cannot always satisfy the command's answer ABNF.
   */
  abnf?: boolean;
}

/**
 * Encodes a message. AVPs named by the command's ABNF are written in ABNF order (so Session-Id
 * comes first, RFC 6733 §8.8), then the others the `*[ AVP ]` rule admits, then `rawAvps`.
 * Checks the ABNF on the way out: a missing required AVP (5005), one too many (5009) or one not
 * allowed (5008) is a DiameterEncodeError, as is a value of the wrong type (5004).
 */
export function encodeMessage(message: MessageInit, dict: Dictionary, options: EncodeOptions = {}): Buffer {
  const { header } = message;
  const command = dict.command(header.applicationId, header.commandCode);
  const request = (header.flags & CommandFlag.Request) !== 0;
  const rules: RuleSet | undefined =
    !command || options.abnf === false
      ? undefined
      : header.flags & CommandFlag.Error
        ? dict.errorAnswer
        : request
          ? command.request
          : command.answer;
  const what = command
    ? command.def.abbreviations[request ? 0 : 1]
    : `command ${header.commandCode}/${header.applicationId}`;
  const w = new ByteWriter(512);
  w.ensure(HEADER_LENGTH);
  w.pos = HEADER_LENGTH;
  writeGroup(w, message.avps, rules, { dict, applicationId: header.applicationId, what });
  if (w.pos > MAX_LENGTH) throw new DiameterEncodeError(`${what}: ${w.pos} bytes is too long`);
  writeHeader(w.raw(), { ...header, version: 1, length: w.pos }, w.pos);
  return w.finish();
}

/** Encodes a raw AVP (flags as given; the Vendor-ID is written when the V bit is set). */
export function writeRawAvp(w: ByteWriter, avp: RawAvp): void {
  const vendor = (avp.flags & AvpFlag.Vendor) !== 0;
  const length = (vendor ? 12 : 8) + avp.data.length;
  w.u32(avp.code);
  w.u8(avp.flags);
  w.u24(length);
  if (vendor) w.u32(avp.vendorId);
  w.bytes(avp.data);
  w.pad();
}

function count(v: unknown): number {
  return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
}

function writeGroup(w: ByteWriter, values: AvpValues, rules: RuleSet | undefined, ctx: Context): void {
  if (rules) {
    for (const rule of rules.rules) {
      const v = values[rule.key];
      const n = count(v);
      if (n < rule.min) {
        throw new DiameterEncodeError(
          `${ctx.what}: missing AVP ${rule.name}`,
          ResultCode.DIAMETER_MISSING_AVP,
        );
      }
      if (n > rule.max) {
        throw new DiameterEncodeError(
          `${ctx.what}: AVP ${rule.name} given ${n} times, at most ${rule.max} allowed`,
          ResultCode.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES,
        );
      }
      if (n > 0) writeAll(w, rule.spec!, v, ctx);
    }
  }
  for (const key of Object.keys(values)) {
    if (key === RAW_AVPS_KEY || rules?.byKey.has(key)) continue;
    const v = values[key];
    if (v === undefined) continue;
    const spec = ctx.dict.avpByKey(key, ctx.applicationId);
    if (!spec)
      throw new DiameterEncodeError(
        `${ctx.what}: no AVP is called '${key}'`,
        ResultCode.DIAMETER_AVP_UNSUPPORTED,
      );
    if (rules && !rules.allowsAny) {
      throw new DiameterEncodeError(
        `${ctx.what}: AVP ${spec.def.name} not allowed`,
        ResultCode.DIAMETER_AVP_NOT_ALLOWED,
      );
    }
    writeAll(w, spec, v, ctx);
  }
  const raw = values[RAW_AVPS_KEY];
  if (raw) for (const avp of raw) writeRawAvp(w, avp);
}

function writeAll(w: ByteWriter, spec: AvpSpec, v: unknown, ctx: Context): void {
  if (Array.isArray(v)) for (const item of v) writeAvp(w, spec, item, ctx);
  else writeAvp(w, spec, v, ctx);
}

function writeAvp(w: ByteWriter, spec: AvpSpec, value: unknown, ctx: Context): void {
  const start = w.pos;
  w.u32(spec.def.code);
  w.u8(spec.flags);
  w.u24(0);
  if (spec.def.vendorId !== 0) w.u32(spec.def.vendorId);
  if (spec.def.type === 'Grouped') {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
      throw new DiameterEncodeError(
        `${ctx.what}: ${spec.def.name} is Grouped and needs an object`,
        ResultCode.DIAMETER_INVALID_AVP_VALUE,
      );
    }
    writeGroup(w, value as AvpValues, spec.members, { ...ctx, what: `${ctx.what} ${spec.def.name}` });
  } else {
    writeValue(w, spec, value);
  }
  w.patchU24(start + 5, w.pos - start);
  w.pad();
}
