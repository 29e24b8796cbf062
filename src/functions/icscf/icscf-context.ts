/** What the I-CSCF's procedures share: configuration, the Cx queries, the S-CSCF selector. */
import type { Logger } from '../../log/logger.ts';
import { parseUri, SipUri } from '../../sip/message/index.ts';
import type { ProxyTarget } from '../../sip/proxy/index.ts';
import type { IcscfConfig } from './config.ts';
import type { CxQueries } from './cx-queries.ts';
import type { ScscfSelector } from './scscf-selection.ts';

export interface IcscfContext {
  readonly config: IcscfConfig;
  readonly cx: CxQueries;
  readonly selector: ScscfSelector;
  readonly logger: Logger;
}

/** True when `host` is one of the home domains. */
export function isHomeDomain(config: IcscfConfig, host: string): boolean {
  const h = host.toLowerCase();
  return config.domains.some((d) => d.toLowerCase() === h);
}

/**
 * A target that keeps the Request-URI and reaches the S-CSCF by a loose Route to it
 * (TS 24.229 §5.3.1.2, §5.3.2.1: "the I-CSCF shall ... forward the request to the S-CSCF"),
 * `extraParams` added to that Route (e.g. `orig`).
 */
export function scscfTarget(
  requestUri: ProxyTarget['uri'],
  scscf: string,
  extraParams: string[] = [],
  timeout?: number,
): ProxyTarget {
  const uri = parseUri(scscf);
  if (!(uri instanceof SipUri)) throw new Error(`S-CSCF name ${scscf} is not a SIP URI`);
  const route = uri.clone();
  const params = [...route.params].filter(([k]) => k !== 'lr' && !extraParams.includes(k));
  route.params = [...params, ['lr', null], ...extraParams.map((p) => [p, null] as const)];
  return {
    uri: requestUri,
    routes: [`<${route.toString()}>`],
    ...(timeout === undefined ? {} : { responseTimeout: timeout }),
  };
}
