import {
  SECURITY_CLIENT,
  SECURITY_VERIFY,
  type SecurityMechanism,
  type SipRequest,
} from '../../sip/message/index.ts';
import type { Flow } from '../../sip/transport/types.ts';

/** What RFC 3329 asks of a request reaching the P-CSCF. */
export type SecAgreeOutcome =
  /** No security agreement asked for: plain (digest over UDP/TCP, what baresip and linphone do). */
  | { kind: 'none' }
  /** The agreement holds (Security-Verify matches our list over TLS). */
  | { kind: 'agreed'; mechanism: string }
  /** 494 (Security Agreement Required) with our Security-Server list. */
  | { kind: 'required'; reason: string; headers: [string, string][] };

function optionTags(request: SipRequest, header: string): string[] {
  return request.headers
    .values(header)
    .flatMap((v) => v.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

function asksForSecAgree(request: SipRequest): boolean {
  return [...optionTags(request, 'Require'), ...optionTags(request, 'Proxy-Require')].includes('sec-agree');
}

/**
 * RFC 3329 §2.3.1 (server side) with the `tls` mechanism (TS 33.203 §7 allows TLS for Gm).
 * DEVIATION: ipsec-3gpp (TS 33.203 §6-§7) is not implemented: a UE offering only it gets a
 * 494 saying so and listing `tls`.
 */
export class SecurityAgreement {
  /** Our Security-Server values, most preferred first (RFC 3329 §2.2). */
  readonly serverMechanisms: string[];

  constructor(mechanisms: readonly string[]) {
    this.serverMechanisms = mechanisms.map(
      (m, i) => `${m};q=${(0.1 / (i + 1)).toFixed(3).replace(/0+$/, '')}`,
    );
  }

  check(request: SipRequest, flow: Flow): SecAgreeOutcome {
    if (!asksForSecAgree(request)) return { kind: 'none' };
    const offered: SecurityMechanism[] = request.all(SECURITY_CLIENT);
    const verify: SecurityMechanism[] = request.all(SECURITY_VERIFY);
    const ours = this.serverMechanisms.map((s) => s.slice(0, s.indexOf(';')));
    const secure = flow.protocol === 'tls' || flow.protocol === 'wss';
    if (verify.length > 0) {
      // RFC 3329 §2.3.1: "the server MUST check that the Security-Verify header field ... is
      // the same as the Security-Server list it sent": mechanisms and preferences, in order.
      const same =
        verify.length === this.serverMechanisms.length &&
        verify.every((v, i) => v.mechanism === ours[i] && (v.preference ?? 0) === this.preference(i));
      if (!same) return this.required('Security-Verify does not match our Security-Server');
      if (!secure) return this.required('tls agreed: send the request over the TLS connection');
      return { kind: 'agreed', mechanism: verify[0]!.mechanism };
    }
    const common = offered.filter((m) => ours.includes(m.mechanism));
    if (common.length > 0) {
      // §2.3.1: the first request carries Security-Client; the server answers 494 listing
      // what it supports, and the client retries over the chosen mechanism.
      return this.required('Security Agreement Required');
    }
    if (offered.some((m) => m.mechanism === 'ipsec-3gpp'))
      return this.required(`ipsec-3gpp not supported; use ${ours.join(', ')}`);
    return this.required(`no common security mechanism; use ${ours.join(', ')}`);
  }

  /** TS 24.229 §5.2.2.1: the agreement headers stop here; the registrar never sees them. */
  strip(request: SipRequest): void {
    request.headers.delete('Security-Client');
    request.headers.delete('Security-Verify');
    for (const header of ['Require', 'Proxy-Require']) {
      const tags = optionTags(request, header);
      if (!tags.includes('sec-agree')) continue;
      const rest = tags.filter((t) => t !== 'sec-agree');
      if (rest.length > 0) request.headers.set(header, rest.join(', '));
      else request.headers.delete(header);
    }
  }

  private preference(index: number): number {
    return Number(this.serverMechanisms[index]!.slice(this.serverMechanisms[index]!.indexOf('q=') + 2));
  }

  private required(reason: string): SecAgreeOutcome {
    // RFC 3329 §2.3.1: the 494 carries Security-Server and Require: sec-agree.
    const headers: [string, string][] = this.serverMechanisms.map((m) => ['Security-Server', m]);
    headers.push(['Require', 'sec-agree']);
    return { kind: 'required', reason, headers };
  }
}
