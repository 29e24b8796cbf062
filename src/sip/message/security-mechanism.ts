import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { scanToken, skipWs } from './lex.ts';
import { formatParams, type Params, paramValue, parseParams } from './params.ts';

/**
 * One value of Security-Client, Security-Server or Security-Verify, RFC 3329 §2.2:
 * `sec-mechanism = mechanism-name *(SEMI mech-parameters)`, with the ipsec-3gpp parameters of
 * TS 33.203 Annex H (alg, ealg, spi-c, spi-s, port-c, port-s, prot, mod).
 */
export class SecurityMechanism {
  constructor(
    /** digest, tls, ipsec-ike, ipsec-man, ipsec-3gpp, or an extension token. */
    public mechanism: string,
    public params: Params = new Map(),
  ) {}

  /** RFC 3329 §2.2: `preference = "q" EQUAL qvalue`; undefined when not given. */
  get preference(): number | undefined {
    const q = this.params.get('q');
    return q ? Number(q) : undefined;
  }

  param(name: string): string | undefined {
    return paramValue(this.params, name) ?? undefined;
  }

  toString(): string {
    return `${this.mechanism}${formatParams(this.params)}`;
  }
}

function securitySpec(name: string): HeaderSpec<SecurityMechanism> {
  return {
    name,
    parse(value) {
      const end = scanToken(value, 0);
      if (end === 0) throw new SipParseError(`Bad ${name} header: missing mechanism`, name);
      const params: Params = new Map();
      const i = parseParams(value, end, params, name);
      if (skipWs(value, i) !== value.length) throw new SipParseError(`Bad ${name} header`, name);
      const q = params.get('q');
      if (q !== undefined && (q === null || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(q))) {
        throw new SipParseError(`Bad ${name} header: invalid q`, name);
      }
      return new SecurityMechanism(value.slice(0, end).toLowerCase(), params);
    },
  };
}

export const SECURITY_CLIENT = securitySpec('Security-Client');
export const SECURITY_SERVER = securitySpec('Security-Server');
export const SECURITY_VERIFY = securitySpec('Security-Verify');
