import type { SipRequest, SipResponse } from '../message/index.ts';
import type { Flow, TransportError } from '../transport/types.ts';
import { TransactionError } from './errors.ts';
import { ServerTransaction } from './server-transaction.ts';
import type { TimerHandle } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';
import type { ServerTransactionUser } from './transaction-user.ts';

const { Trying, Proceeding, Completed, Terminated } = TransactionState;

/** Non-INVITE server transaction: RFC 3261 §17.2.2, Figure 8. */
export class NonInviteServerTransaction extends ServerTransaction {
  /** RFC 3261 §17.2.2: wait time for request retransmissions, 64*T1 unreliable, 0 reliable. */
  private timerJ: TimerHandle | undefined;

  constructor(
    request: SipRequest,
    flow: Flow,
    user: ServerTransactionUser,
    context: TransactionContext,
    id?: string,
  ) {
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new TransactionError('ERR_SIP_TRANSACTION_METHOD', `not a non-INVITE request: ${request.method}`);
    }
    // RFC 3261 §17.2.2: The state machine is initialized in the "Trying" state and is passed a
    // request other than INVITE or ACK when initialized. This request is passed up to the TU.
    super(request, flow, user, Trying, context, id);
  }

  dispose(): void {
    this.timerJ = this.stopTimer(this.timerJ);
  }

  respond(response: SipResponse): boolean {
    this.checkStatus(response);
    const status = response.status;
    if (this.state === Trying || this.state === Proceeding) {
      this.lastResponse = response;
      if (status < 200) {
        // RFC 3261 §17.2.2: While in the "Trying" state, if the TU passes a provisional response
        // to the server transaction, the server transaction MUST enter the "Proceeding" state.
        // [...] Any further provisional responses that are received from the TU while in the
        // "Proceeding" state MUST be passed to the transport layer for transmission.
        if (this.state === Trying) this.stateTransition(Proceeding);
      } else {
        // RFC 3261 §17.2.2: If the TU passes a final response (status codes 200-699) to the
        // server while in the "Trying" or "Proceeding" state, the transaction MUST enter the
        // "Completed" state, and the response MUST be passed to the transport layer.
        this.recordFinal(status);
        this.stateTransition(Completed);
      }
      this.transmit(response);
      if (status >= 200) this.keepEssentials();
      return true;
    }
    // RFC 3261 §17.2.2: Any other final responses passed by the TU to the server transaction
    // MUST be discarded while in the "Completed" state.
    this.logger.debug({ tx: this.id, state: this.state, status }, 'response discarded by server transaction');
    return false;
  }

  receiveRequest(_request: SipRequest, _flow: Flow): void {
    switch (this.state) {
      case Proceeding:
      case Completed:
        // RFC 3261 §17.2.2: If a retransmission of the request is received while in the
        // "Proceeding" state, the most recently sent provisional response MUST be passed to the
        // transport layer for retransmission. [...] While in the "Completed" state, the server
        // transaction MUST pass the final response to the transport layer for retransmission
        // whenever a retransmission of the request is received.
        if (this.lastResponse !== undefined) this.transmit(this.lastResponse);
        return;
      default:
        // RFC 3261 §17.2.2: Once in the "Trying" state, any further request retransmissions
        // are discarded.
        return;
    }
  }

  protected stateTransition(to: TransactionState): void {
    switch (to) {
      case Proceeding:
        this.checkTransition(to, [Trying]);
        break;
      case Completed:
        this.checkTransition(to, [Trying, Proceeding]);
        // RFC 3261 §17.2.2: When the server transaction enters the "Completed" state, it MUST
        // set Timer J to fire in 64*T1 seconds for unreliable transports, and zero seconds for
        // reliable transports.
        this.timerJ = this.startTimer('J', this.reliable ? 0 : 64 * this.timerValues.T1, () =>
          this.timerJFired(),
        );
        break;
      case Terminated:
        this.checkTransition(to, [Trying, Proceeding, Completed]);
        break;
      default:
        this.checkTransition(to, []);
    }
    this.enterState(to);
  }

  protected onTransportFailure(error: TransportError): void {
    if (this.state === Terminated) return;
    // RFC 3261 §17.2.4: the server transaction SHOULD inform the TU that a failure has
    // occurred, and SHOULD transition to the terminated state (Figure 8: from "Proceeding" and
    // "Completed").
    this.failOnTransportError(error);
  }

  /** RFC 3261 §17.2.2: When timer J fires, the server transaction MUST transition to "Terminated". */
  private timerJFired(): void {
    this.timerJ = undefined;
    if (this.state === Completed) this.stateTransition(Terminated);
  }
}
