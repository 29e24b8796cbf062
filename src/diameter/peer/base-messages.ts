import type { DiameterHeader } from '../codec/header.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { encodeMessage } from '../codec/message-encoder.ts';
import { CommandFlag } from '../codec/raw-avp.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import type { DiameterError } from '../errors.ts';
import { isProtocolError } from '../result-code.ts';
import { encodeErrorAnswer } from '../routing/answers.ts';
import type { IdentifierSource } from '../routing/identifiers.ts';
import { type RoutingAvps, scanRoutingAvps } from '../routing/raw-message.ts';
import { capabilitiesAvps, type LocalIdentity } from './capabilities.ts';

export const CER = 257;
export const DWR = 280;
export const DPR = 282;

/** RFC 6733 §5.4.3 Disconnect-Cause values. */
export const DisconnectCause = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;

/** Encodes the base protocol's peer messages (RFC 6733 §5: CER/CEA, DWR/DWA, DPR/DPA) of one node. */
export class BaseMessages {
  constructor(
    private readonly local: LocalIdentity,
    private readonly dictionary: Dictionary,
    private readonly ids: IdentifierSource,
  ) {}

  /** RFC 6733 §5.3.1 CER; Host-IP-Address falls back to the connection's local address. */
  cer(localAddress: string): Buffer {
    return this.encode(
      { flags: CommandFlag.Request, commandCode: CER },
      capabilitiesAvps(this.local, localAddress),
    );
  }

  /** RFC 6733 §5.3.2 CEA to `cer`; with the E bit for 3xxx result codes (e.g. 3010). */
  cea(cer: DiameterMessage, resultCode: number, localAddress: string, extra: AvpValues = {}): Buffer {
    const avps = { resultCode, ...capabilitiesAvps(this.local, localAddress), ...extra };
    const flags = isProtocolError(resultCode) ? CommandFlag.Error : 0;
    const { hopByHopId, endToEndId } = cer.header;
    // abnf: false because an E-bit CEA follows §7.2, which the CEA rules would refuse.
    return this.encode({ flags, commandCode: CER, hopByHopId, endToEndId }, avps, flags === 0);
  }

  /** DWR or DPR (RFC 6733 §5.5.1, §5.4.1). */
  request(commandCode: number, extra: AvpValues): Buffer {
    const avps = { originHost: this.local.originHost, originRealm: this.local.originRealm, ...extra };
    return this.encode({ flags: CommandFlag.Request, commandCode }, avps);
  }

  /** DWA or DPA (RFC 6733 §5.5.2, §5.4.2), or an error answer to one of them. */
  answer(request: DiameterHeader, resultCode: number, extra: AvpValues = {}): Buffer {
    const avps = {
      resultCode,
      originHost: this.local.originHost,
      originRealm: this.local.originRealm,
      ...extra,
    };
    const flags = isProtocolError(resultCode) ? CommandFlag.Error : 0;
    return this.encode({ ...request, flags }, avps);
  }

  /**
   * The answer to a request refused before it could be processed (bad header bits 3008, version
   * 5011, an AVP or ABNF error): RFC 6733 §7.2 answer-message with the E bit for protocol errors,
   * Origin-Host/Realm, Result-Code, Error-Message, Failed-AVP (§7.5), and the request's Session-Id
   * and Proxy-Info echoed when its AVP list can be read (§6.2; a message of another version is
   * read as if it had the version 1 layout, best effort). A refused CER gets a whole CEA (§5.3.2).
   * Undefined if no answer can be encoded (never throws).
   */
  errorAnswer(
    bytes: Buffer,
    request: DiameterHeader,
    error: DiameterError,
    localAddress = '',
  ): Buffer | undefined {
    const details: AvpValues = { errorMessage: error.message };
    if (error.failedAvp?.length) details.failedAvp = { rawAvps: error.failedAvp };
    if (request.commandCode === CER && request.applicationId === 0) {
      try {
        return this.cea({ header: request, avps: {} }, error.resultCode, localAddress, details);
      } catch {
        // No Host-IP-Address to put in it (socket gone): the bare §7.2 answer below.
      }
    }
    let routing: RoutingAvps | undefined;
    try {
      routing = scanRoutingAvps(bytes, request);
    } catch {
      routing = undefined;
    }
    try {
      return encodeErrorAnswer(
        {
          dictionary: this.dictionary,
          originHost: this.local.originHost,
          originRealm: this.local.originRealm,
        },
        request,
        routing,
        error.resultCode,
        { failedAvp: error.failedAvp, errorMessage: error.message },
      );
    } catch {
      // Never a crash on bad input: the caller logs the refusal and sends nothing.
      return undefined;
    }
  }

  private encode(
    header: { flags: number; commandCode: number; hopByHopId?: number; endToEndId?: number },
    avps: AvpValues,
    abnf = true,
  ): Buffer {
    return encodeMessage(
      {
        header: {
          flags: header.flags,
          commandCode: header.commandCode,
          applicationId: 0,
          hopByHopId: header.hopByHopId ?? this.ids.nextHopByHopId(),
          endToEndId: header.endToEndId ?? this.ids.nextEndToEndId(),
        },
        avps,
      },
      this.dictionary,
      { abnf },
    );
  }
}
