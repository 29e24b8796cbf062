/** Subscriptions used by the store tests. */
import type { NewSubscription } from '../../../src/functions/hss/model.ts';
import { newSubscription } from '../../../src/functions/hss/subscriber-defaults.ts';
import { IdentityType } from '../../../src/ims/identity.ts';

export const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
export const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

/** sip:<name>@ims.test with tel +1201555<nnnn> when `tel` is given, digest and AKA. */
export function subscriber(name: string, tel?: string): NewSubscription {
  return newSubscription({
    impu: `sip:${name}@ims.test`,
    password: `pw-${name}`,
    k: K,
    opc: OPC,
    ...(tel ? { tel } : {}),
  });
}

/** A PSI-only subscription hosting `wildcard` (a WILDCARDED_PSI) on an AS. */
export function wildcardPsi(wildcard: string, asName = 'sip:conf.ims.test'): NewSubscription {
  return {
    privateIdentities: [],
    publicIdentities: [
      { impu: wildcard, identityType: IdentityType.WILDCARDED_PSI, serviceProfileId: 'psi' },
    ],
    serviceProfiles: [
      {
        id: 'psi',
        initialFilterCriteria: [
          {
            priority: 0,
            triggerPoint: {
              conditionTypeCNF: false,
              spts: [{ kind: 'sessionCase', sessionCase: 1, conditionNegated: false, groups: [0] }],
            },
            applicationServer: { serverName: asName, defaultHandling: 0 },
          },
        ],
      },
    ],
  };
}
