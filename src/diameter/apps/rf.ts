import type { DiameterMessage } from '../codec/message.ts';
import type { DiameterNode } from '../node.ts';
import { type AnswerBody, DiameterApplication, type Outgoing, type TypedHandler } from './application.ts';
import type { AccountingAnswer, AccountingRequest } from './generated/rf-types.ts';

export * from './generated/rf-types.ts';

/** Rf runs on Diameter base accounting, application id 3 (TS 32.299 §6.1, RFC 6733 §9). */
export const RF_APPLICATION_ID = 3;

type Auto = 'sessionId' | 'originHost' | 'originRealm' | 'destinationRealm' | 'acctApplicationId';
export type RfRequest<T> = Outgoing<T, Auto>;
/** The CDF's answer: Accounting-Record-Type and -Number are echoed from the ACR when not given. */
export type RfAnswer<T> = AnswerBody<T, Auto | 'accountingRecordType' | 'accountingRecordNumber'>;

/**
 * Rf (TS 32.299): IMS nodes send ACR (EVENT for a MESSAGE, START/INTERIM/STOP for a session) with
 * Service-Information/IMS-Information to the CDF, which answers ACA.
 */
export class RfApplication {
  private readonly app: DiameterApplication;

  constructor(node: DiameterNode) {
    this.app = new DiameterApplication(
      node,
      { id: RF_APPLICATION_ID, vendorId: 0, kind: 'acct' },
      {
        request: () => ({ acctApplicationId: RF_APPLICATION_ID }),
        // RFC 6733 §9.7.2 / TS 32.299 §6.2.3: the ACA repeats the record's type and number.
        answer: (acr: DiameterMessage) => ({
          acctApplicationId: RF_APPLICATION_ID,
          accountingRecordType: acr.avps.accountingRecordType,
          accountingRecordNumber: acr.avps.accountingRecordNumber,
        }),
      },
    );
  }

  /** A Session-Id for a new accounting session (START ... STOP share it). */
  newSessionId(): string {
    return this.app.node.newSessionId();
  }

  /** TS 32.299 §6.2.2 ACR. */
  accounting(req: RfRequest<AccountingRequest>): Promise<AccountingAnswer> {
    return this.app.send('ACR', req);
  }

  onAccounting(handler: TypedHandler<AccountingRequest, RfAnswer<AccountingAnswer>>): void {
    this.app.on('ACR', handler);
  }
}
