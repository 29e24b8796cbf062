import type { DiameterHeader } from '../codec/header.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { encodeMessage } from '../codec/message-encoder.ts';
import { CommandFlag } from '../codec/raw-avp.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { isProtocolError } from '../result-code.ts';
import type { IdentifierSource } from '../routing/identifiers.ts';
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
  cea(cer: DiameterMessage, resultCode: number, localAddress: string): Buffer {
    const avps = { resultCode, ...capabilitiesAvps(this.local, localAddress) };
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
