import type { SipRequest, SipResponse } from '../message/index.ts';
import type { Destination } from '../transport/types.ts';
import { ClientTransaction } from './client-transaction.ts';
import { TransactionError } from './errors.ts';
import type { TimerHandle } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';
import type { ClientTransactionUser } from './transaction-user.ts';

const { Trying, Proceeding, Completed, Terminated } = TransactionState;

/** Non-INVITE client transaction: RFC 3261 §17.1.2, Figure 6. */
export class NonInviteClientTransaction extends ClientTransaction {
  /** RFC 3261 §17.1.2.2: request retransmission interval, T1 doubling up to T2, unreliable only. */
  private timerE: TimerHandle | undefined;
  private timerEInterval: number;
  /** RFC 3261 §17.1.2.2: non-INVITE transaction timeout, 64*T1. */
  private timerF: TimerHandle | undefined;
  /** RFC 3261 §17.1.2.2: wait time for response retransmissions, T4 unreliable, 0 reliable. */
  private timerK: TimerHandle | undefined;

  constructor(
    request: SipRequest,
    destination: Destination,
    user: ClientTransactionUser,
    context: TransactionContext,
  ) {
    // RFC 3261 §17.1: ACK has no client transaction (§17.1.1.3, §13.2.2.4); INVITE has its own.
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new TransactionError('ERR_SIP_TRANSACTION_METHOD', `not a non-INVITE request: ${request.method}`);
    }
    super(request, destination, user, Trying, context);
    const { T1 } = this.timerValues;
    this.timerEInterval = T1;
    // RFC 3261 §17.1.2.2: The "Trying" state is entered when the TU initiates a new client
    // transaction with a request. When entering this state, the client transaction SHOULD set
    // timer F to fire in 64*T1 seconds. The request MUST be passed to the transport layer for
    // transmission. If an unreliable transport is in use, the client transaction MUST set
    // timer E to fire in T1 seconds.
    this.timerF = this.startTimer('F', 64 * T1, () => this.timerFFired());
    this.transmit(request, true);
    if (!this.reliable) this.timerE = this.startTimer('E', T1, () => this.timerEFired());
  }

  dispose(): void {
    this.timerE = this.stopTimer(this.timerE);
    this.timerF = this.stopTimer(this.timerF);
    this.timerK = this.stopTimer(this.timerK);
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case Trying:
      case Proceeding:
        if (status < 200) {
          // RFC 3261 §17.1.2.2: If a provisional response is received while in the "Trying"
          // state, the response MUST be passed to the TU, and then the client transaction
          // SHOULD move to the "Proceeding" state. (In "Proceeding" it is passed to the TU.)
          if (this.state === Trying) this.stateTransition(Proceeding);
          this.passToUser(response);
        } else {
          // RFC 3261 §17.1.2.2: If a final response (status codes 200-699) is received while in
          // the "Trying" or "Proceeding" state, the response MUST be passed to the TU, and the
          // client transaction MUST transition to the "Completed" state.
          this.recordFinal(status);
          this.stateTransition(Completed);
          this.passToUser(response);
          this.keepEssentials(true);
        }
        return;
      default:
        // RFC 3261 §17.1.2.2: the "Completed" state buffers any additional response
        // retransmissions that may be received.
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
        this.timerE = this.stopTimer(this.timerE);
        this.timerF = this.stopTimer(this.timerF);
        // RFC 3261 §17.1.2.2: Once the client transaction enters the "Completed" state, it MUST
        // set Timer K to fire in T4 seconds for unreliable transports, and zero seconds for
        // reliable transports.
        this.timerK = this.startTimer('K', this.reliable ? 0 : this.timerValues.T4, () => this.timerKFired());
        break;
      case Terminated:
        this.checkTransition(to, [Trying, Proceeding, Completed]);
        break;
      default:
        this.checkTransition(to, []);
    }
    this.enterState(to);
  }

  protected onReliableFlow(): void {
    this.timerE = this.stopTimer(this.timerE);
  }

  private timerEFired(): void {
    this.timerE = undefined;
    if (this.state === Trying) {
      // RFC 3261 §17.1.2.2: If timer E fires while still in this state, the timer is reset,
      // but this time with a value of MIN(2*T1, T2). [...] the request is retransmitted.
      this.timerEInterval = Math.min(2 * this.timerEInterval, this.timerValues.T2);
    } else if (this.state === Proceeding) {
      // RFC 3261 §17.1.2.2: If Timer E fires while in the "Proceeding" state, the request MUST be
      // passed to the transport layer for retransmission, and Timer E MUST be reset with a
      // value of T2 seconds.
      this.timerEInterval = this.timerValues.T2;
    } else {
      return;
    }
    this.transmit(this.request);
    this.timerE = this.startTimer('E', this.timerEInterval, () => this.timerEFired());
  }

  /**
   * RFC 3261 §17.1.2.2: If Timer F fires while the client transaction is still in the "Trying"
   * or "Proceeding" state, the client transaction SHOULD inform the TU about the timeout, and
   * then it SHOULD enter the "Terminated" state.
   */
  private timerFFired(): void {
    this.timerF = undefined;
    if (this.state === Trying || this.state === Proceeding) this.timeout();
  }

  /** RFC 3261 §17.1.2.2: If Timer K fires while in this state, MUST transition to "Terminated". */
  private timerKFired(): void {
    this.timerK = undefined;
    if (this.state === Completed) this.stateTransition(Terminated);
  }
}
