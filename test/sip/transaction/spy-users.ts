import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import type {
  ClientTransaction,
  ClientTransactionUser,
  InviteServerTransaction,
  NonInviteServerTransaction,
  ServerTransaction,
  TransactionUser,
} from '../../../src/sip/transaction/index.ts';
import type { Flow, TransportError } from '../../../src/sip/transport/types.ts';

/** Records what a client transaction tells its TU, in order. */
export class SpyClientUser implements ClientTransactionUser {
  readonly responses: SipResponse[] = [];
  readonly timeouts: ClientTransaction[] = [];
  readonly transportErrors: TransportError[] = [];
  readonly events: string[] = [];

  onResponse(response: SipResponse): void {
    this.responses.push(response);
    this.events.push(`response ${response.status}`);
  }

  onTimeout(transaction: ClientTransaction): void {
    this.timeouts.push(transaction);
    this.events.push('timeout');
  }

  onTransportError(error: TransportError): void {
    this.transportErrors.push(error);
    this.events.push(`transport-error ${error.code}`);
  }
}

/** Records what the transaction layer and its server transactions tell the TU. */
export class SpyTransactionUser implements TransactionUser {
  readonly requests: { request: SipRequest; transaction: ServerTransaction }[] = [];
  readonly cancels: {
    cancel: SipRequest;
    transaction: NonInviteServerTransaction;
    target: InviteServerTransaction | undefined;
  }[] = [];
  readonly acks: { ack: SipRequest; transaction: InviteServerTransaction | undefined }[] = [];
  readonly strays: SipResponse[] = [];
  readonly timeouts: ServerTransaction[] = [];
  readonly transportErrors: { error: TransportError; transaction: ServerTransaction }[] = [];
  /** Called on each new request, e.g. to answer it at once. */
  answer: ((request: SipRequest, transaction: ServerTransaction) => void) | undefined;

  onRequest(request: SipRequest, transaction: ServerTransaction, _flow: Flow): void {
    this.requests.push({ request, transaction });
    this.answer?.(request, transaction);
  }

  onCancel(
    cancel: SipRequest,
    transaction: NonInviteServerTransaction,
    target: InviteServerTransaction | undefined,
  ): void {
    this.cancels.push({ cancel, transaction, target });
  }

  onAck(ack: SipRequest, _flow: Flow, transaction?: InviteServerTransaction): void {
    this.acks.push({ ack, transaction });
  }

  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }

  onTimeout(transaction: ServerTransaction): void {
    this.timeouts.push(transaction);
  }

  onTransportError(error: TransportError, transaction: ServerTransaction): void {
    this.transportErrors.push({ error, transaction });
  }
}
