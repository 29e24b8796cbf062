import type { Logger } from '../../log/logger.ts';
import { requestEssentials, type SipRequest } from '../message/index.ts';
import { TransportError, type TransportLayer } from '../transport/types.ts';
import { TransactionError } from './errors.ts';
import type { TimerHandle, TimerService, TimerValues } from './timers.ts';
import { TransactionState } from './transaction-state.ts';

/** What every transaction is built with; the TransactionLayer shares one among all. */
export interface TransactionContext {
  transport: Pick<TransportLayer, 'send' | 'sendResponse'>;
  timers: TimerService;
  timerValues: TimerValues;
  logger: Logger;
}

/** How a transaction ended, for metrics. */
export type TransactionOutcome = 'completed' | 'timeout' | 'transport-error';

export type TransactionStateListener = (state: TransactionState, transaction: Transaction) => void;

/**
 * What the four transaction state machines share (RFC 3261 §17): the request that created
 * the transaction, the state with its listeners, timer bookkeeping and the logger.
 * Subclasses own their RFC-named timers and their checked `stateTransition()`.
 */
export abstract class Transaction {
  abstract readonly role: 'client' | 'server';
  /** The branch of the top Via (RFC 3261 §17.1.3, §17.2.3), or the RFC 2543 key. */
  readonly id: string;
  /** Set when the transaction ended on a timeout or a transport error. */
  protected failure: Exclude<TransactionOutcome, 'completed'> | undefined;
  protected readonly transport: TransactionContext['transport'];
  protected readonly timers: TimerService;
  protected readonly timerValues: TimerValues;
  protected readonly logger: Logger;
  private currentState: TransactionState;
  private firstFinalStatus: number | undefined;
  private readonly listeners: TransactionStateListener[] = [];
  #request: SipRequest;
  /** The method of the request that created the transaction. */
  readonly method: string;

  constructor(request: SipRequest, id: string, initialState: TransactionState, context: TransactionContext) {
    this.#request = request;
    this.method = request.method;
    this.id = id;
    this.currentState = initialState;
    this.transport = context.transport;
    this.timers = context.timers;
    this.timerValues = context.timerValues;
    this.logger = context.logger;
  }

  get state(): TransactionState {
    return this.currentState;
  }

  /**
   * The request that created the transaction. Once the transaction only waits to absorb
   * retransmissions, this is its essentials only (requestEssentials: method, Request-URI, Via,
   * From, To, Call-ID, CSeq, Route; no body).
   */
  get request(): SipRequest {
    return this.#request;
  }

  /** The first final status sent or received, once there is one. */
  get finalStatus(): number | undefined {
    return this.firstFinalStatus;
  }

  get outcome(): TransactionOutcome {
    return this.failure ?? 'completed';
  }

  /** Called after each state change; the Terminated state is the last. */
  addStateChangeListener(listener: TransactionStateListener): void {
    this.listeners.push(listener);
  }

  removeStateChangeListener(listener: TransactionStateListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Clears every timer of the transaction. Entering Terminated calls it. */
  abstract dispose(): void;

  /** The one checked state change of each machine: checks the figure, then runs the entry actions. */
  protected abstract stateTransition(to: TransactionState): void;

  /** Moves to Terminated unless already there (a TU callback may have caused it). */
  protected terminate(): void {
    if (this.currentState !== TransactionState.Terminated) this.stateTransition(TransactionState.Terminated);
  }

  /**
   * Throws unless the current state is one the figure allows to move to `to`; called first
   * by each subclass's `stateTransition()`.
   */
  protected checkTransition(to: TransactionState, from: readonly TransactionState[]): void {
    if (!from.includes(this.currentState)) {
      throw new TransactionError(
        'ERR_SIP_TRANSACTION_STATE',
        `${this.constructor.name} ${this.id}: invalid transition ${this.currentState} -> ${to}`,
      );
    }
  }

  /** Records the new state; on Terminated clears the timers; then tells the listeners. */
  protected enterState(to: TransactionState): void {
    const from = this.currentState;
    this.currentState = to;
    this.logger.debug({ tx: this.id, method: this.method, role: this.role, from, to }, 'transaction state');
    if (to === TransactionState.Terminated) this.dispose();
    for (const listener of this.listeners.slice()) listener(to, this);
  }

  /**
   * Keeps only the essentials of the request (see `request`): called when the transaction enters
   * a state that lasts up to 64*T1 only to absorb retransmissions, so that it holds a few hundred
   * bytes rather than the parsed message for that time.
   */
  protected keepRequestEssentials(): void {
    this.#request = requestEssentials(this.#request);
  }

  /** Records a final response sent or received; the first one is the transaction's result. */
  protected recordFinal(status: number): void {
    this.firstFinalStatus ??= status;
  }

  protected startTimer(name: string, ms: number, fire: () => void): TimerHandle {
    return this.timers.setTimeout(() => {
      this.logger.debug({ tx: this.id, method: this.method, timer: name }, 'transaction timer fired');
      fire();
    }, ms);
  }

  protected stopTimer(handle: TimerHandle | undefined): undefined {
    if (handle !== undefined) this.timers.clearTimeout(handle);
    return undefined;
  }

  /** Calls the transaction user; a throwing TU is logged, never left to break the state machine. */
  protected notifyUser(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.logger.error({ err, tx: this.id, method: this.method }, `transaction user failed in ${what}`);
    }
  }

  /** A rejected send as a TransportError (the transport contract rejects with one). */
  protected static asTransportError(err: unknown): TransportError {
    if (err instanceof TransportError) return err;
    return new TransportError('SEND_FAILED', err instanceof Error ? err.message : String(err));
  }
}
