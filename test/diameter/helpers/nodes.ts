import { DiameterNode, type DiameterNodeOptions } from '../../../src/diameter/node.ts';
import type { AdvertisedApplication } from '../../../src/diameter/peer/capabilities.ts';

export const CX: AdvertisedApplication = { id: 16777216, vendorId: 10415, kind: 'auth' };
export const SH: AdvertisedApplication = { id: 16777217, vendorId: 10415, kind: 'auth' };

/** Short timers for tests on loopback (RFC values are tens of seconds). */
export const FAST = { twInit: 200, tcMin: 50, tc: 400, peerTimeout: 2000, requestTimeout: 1500 } as const;

export function node(options: Partial<DiameterNodeOptions> & { originHost: string }): DiameterNode {
  return new DiameterNode({
    originRealm: 'ims.test',
    applications: [CX],
    listen: { address: '127.0.0.1', port: 0 },
    ...FAST,
    ...options,
  });
}

/** Polls until `predicate` holds; rejects after `timeoutMs` (generous: CI machines are slow). */
export async function waitFor(predicate: () => boolean, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const VSAI_CX = { vendorId: 10415, authApplicationId: 16777216 };

/** A minimal valid UAR body (Cx, TS 29.229 §6.1.1). */
export function uarAvps(n: DiameterNode, user = 'alice') {
  return {
    sessionId: n.newSessionId(),
    vendorSpecificApplicationId: VSAI_CX,
    authSessionState: 1,
    destinationRealm: 'ims.test',
    userName: `${user}@ims.test`,
    publicIdentity: `sip:${user}@ims.test`,
    visitedNetworkIdentifier: Buffer.from('ims.test'),
  };
}
