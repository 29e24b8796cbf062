import type { SipResponse } from '../message/index.ts';

/**
 * RFC 3261 §16.7 step 6: choose the best final response of a response context. "A proxy MUST
 * NOT ... forward a 6xx ... it SHOULD choose from the 6xx class responses if any exist ...
 * Otherwise, the proxy SHOULD choose from the lowest response class stored". Within a class,
 * responses that tell the caller how to proceed are preferred (401/407 to authenticate, 415,
 * 420, 484 from §16.7 step 6), then the first received.
 */
export function chooseBestResponse(responses: readonly SipResponse[]): SipResponse | undefined {
  const six = responses.find((r) => r.status >= 600);
  if (six) return six;
  let best: SipResponse | undefined;
  for (const r of responses) {
    if (r.status < 300) continue;
    if (!best || Math.floor(r.status / 100) < Math.floor(best.status / 100)) {
      best = r;
    } else if (Math.floor(r.status / 100) === Math.floor(best.status / 100) && rank(r) < rank(best)) {
      best = r;
    }
  }
  return best;
}

const PREFERRED = [401, 407, 415, 420, 484];

function rank(r: SipResponse): number {
  const i = PREFERRED.indexOf(r.status);
  if (i >= 0) return i;
  // A timeout or an unreachable hop tells the caller the least.
  if (r.status === 408 || r.status === 503) return PREFERRED.length + 1;
  return PREFERRED.length;
}

/**
 * RFC 3261 §16.7 step 7: when the chosen response is a 401 or 407, the proxy "MUST collect any
 * WWW-Authenticate and Proxy-Authenticate header field values from all other 401 (Unauthorized)
 * and 407 ... responses received so far in this response context and add them to this response".
 */
export function aggregateChallenges(best: SipResponse, responses: readonly SipResponse[]): void {
  if (best.status !== 401 && best.status !== 407) return;
  for (const r of responses) {
    if (r === best || (r.status !== 401 && r.status !== 407)) continue;
    for (const name of ['WWW-Authenticate', 'Proxy-Authenticate']) {
      for (const f of r.headers.fieldsOf(name)) best.headers.append(name, f.value);
    }
  }
}
