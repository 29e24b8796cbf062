/** Subscribers and requests the HSS procedure tests share. */
import { Usim } from '../../../../src/aka/usim.ts';
import type { CxApplication } from '../../../../src/diameter/apps/cx.ts';
import { ServerAssignmentType, UserDataAlreadyAvailable } from '../../../../src/diameter/apps/cx.ts';
import type { NewSubscription } from '../../../../src/functions/hss/model.ts';
import {
  newSubscription,
  type SubscriberOptions,
} from '../../../../src/functions/hss/subscriber-defaults.ts';
import { SessionCase } from '../../../../src/ims/ifc/model.ts';
import { SCSCF_NAME } from './hss-env.ts';

export const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
export const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
export const AS_NAME = 'sip:as.ims.test:5080';

/** sip:<name>@ims.test (and tel when given), digest password `pw-<name>` and AKA keys. */
export function subscriber(name: string, options: Partial<SubscriberOptions> = {}): NewSubscription {
  return newSubscription({
    impu: `sip:${name}@ims.test`,
    password: `pw-${name}`,
    k: K,
    opc: OPC,
    ...options,
  });
}

/** A subscriber with an iFC towards AS_NAME for terminating calls while unregistered. */
export function withUnregisteredService(name: string): NewSubscription {
  return subscriber(name, {
    initialFilterCriteria: [
      {
        priority: 1,
        triggerPoint: {
          conditionTypeCNF: false,
          spts: [
            {
              kind: 'sessionCase',
              sessionCase: SessionCase.TERMINATING_UNREGISTERED,
              conditionNegated: false,
              groups: [0],
            },
          ],
        },
        applicationServer: { serverName: AS_NAME, defaultHandling: 0 },
      },
    ],
  });
}

export function usim(): Usim {
  return new Usim({ k: Buffer.from(K, 'hex'), opc: Buffer.from(OPC, 'hex') });
}

export function impi(name: string): string {
  return `${name}@ims.test`;
}

export function impu(name: string): string {
  return `sip:${name}@ims.test`;
}

/** A UAR from the client for `name`, visiting from the home network. */
export function uar(cx: CxApplication, name: string, extra: Record<string, unknown> = {}) {
  return cx.userAuthorization({
    userName: impi(name),
    publicIdentity: impu(name),
    visitedNetworkIdentifier: Buffer.from('ims.test'),
    ...extra,
  });
}

/** A SAR from the client as S-CSCF SCSCF_NAME. */
export function sar(
  cx: CxApplication,
  name: string,
  type: number = ServerAssignmentType.REGISTRATION,
  extra: Record<string, unknown> = {},
) {
  return cx.serverAssignment({
    userName: impi(name),
    publicIdentity: [impu(name)],
    serverName: SCSCF_NAME,
    serverAssignmentType: type,
    userDataAlreadyAvailable: UserDataAlreadyAvailable.USER_DATA_NOT_AVAILABLE,
    ...extra,
  });
}

/** Sh-Data with one RepositoryData; no ServiceData when `data` is undefined (a delete). */
export function repositoryXml(serviceIndication: string, sequenceNumber: number, data?: string): Buffer {
  const body = data === undefined ? '' : `<ServiceData>${data}</ServiceData>`;
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><Sh-Data><RepositoryData><ServiceIndication>${serviceIndication}` +
      `</ServiceIndication><SequenceNumber>${sequenceNumber}</SequenceNumber>${body}</RepositoryData></Sh-Data>`,
  );
}
