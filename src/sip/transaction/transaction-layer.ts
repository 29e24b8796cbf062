import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '../../log/logger.ts';
import { SipParseError, SipRequest, type SipResponse } from '../message/index.ts';
import type { Destination, Flow, IncomingMessage, TransportLayer } from '../transport/types.ts';
import type { ClientTransaction } from './client-transaction.ts';
import { TransactionError } from './errors.ts';
import { InviteClientTransaction } from './invite-client-transaction.ts';
import { InviteServerTransaction } from './invite-server-transaction.ts';
import { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import type { ServerTransaction } from './server-transaction.ts';
import { resolveTimerValues, systemTimers, type TimerService, type TimerValues } from './timers.ts';
import type { Transaction, TransactionContext, TransactionOutcome } from './transaction.ts';
import { clientTransactionKey, isRfc3261Branch, serverTransactionKey } from './transaction-key.ts';
import { TransactionState } from './transaction-state.ts';
import type { ClientTransactionUser, TransactionUser } from './transaction-user.ts';

export interface TransactionLayerOptions {
  /** The transport layer; the transaction layer registers itself as its message receiver. */
  transport: TransportLayer;
  /** The TU: receives new requests, CANCELs, stray ACKs and responses, server transaction reports. */
  user: TransactionUser;
  /** T1, T2, T4 in ms (RFC 3261 Table 4); defaults 500, 4000, 5000. */
  timerValues?: Partial<TimerValues>;
  /** Defaults to Node's timers. */
  timers?: TimerService;
  logger?: Logger;
}

/** What the layer publishes when a transaction leaves its tables: enough for metrics. */
export interface TransactionRecord {
  role: 'client' | 'server';
  method: string;
  /** The first final status received or sent; undefined after a timeout without one. */
  finalStatus: number | undefined;
  outcome: TransactionOutcome;
}

export interface TransactionLayerEvents {
  /** A client or server transaction entered the tables. */
  created: [transaction: ClientTransaction | ServerTransaction];
  /** A transaction terminated and left the tables. */
  terminated: [record: TransactionRecord, transaction: ClientTransaction | ServerTransaction];
}

export interface TransactionLayerStats {
  clientTransactions: number;
  serverTransactions: number;
}

/**
 * The SIP transaction layer (RFC 3261 §17): owns the client and server transaction tables,
 * matches incoming messages to transactions (§17.1.3, §17.2.3), creates server transactions
 * for new requests and hands them to the TU, and client transactions for the TU's requests.
 */
export class TransactionLayer extends EventEmitter<TransactionLayerEvents> {
  readonly user: TransactionUser;
  private readonly context: TransactionContext;
  private readonly clientTransactions = new Map<string, ClientTransaction>();
  private readonly serverTransactions = new Map<string, ServerTransaction>();

  constructor(options: TransactionLayerOptions) {
    super();
    this.user = options.user;
    this.context = {
      transport: options.transport,
      timers: options.timers ?? systemTimers,
      timerValues: resolveTimerValues(options.timerValues),
      logger: (options.logger ?? silentLogger).child({ layer: 'sip-transaction' }),
    };
    options.transport.onMessage((incoming) => this.receive(incoming));
  }

  get timerValues(): TimerValues {
    return this.context.timerValues;
  }

  /** Number of transactions in the tables, client and server. */
  get size(): number {
    return this.clientTransactions.size + this.serverTransactions.size;
  }

  stats(): TransactionLayerStats {
    return {
      clientTransactions: this.clientTransactions.size,
      serverTransactions: this.serverTransactions.size,
    };
  }

  /**
   * Starts a client transaction for a request whose top Via the caller has already set, with a
   * fresh branch (`newBranch()`), and sends it to `destination`.
   */
  sendRequest(request: SipRequest, destination: Destination, user: ClientTransactionUser): ClientTransaction {
    // RFC 3261 §17.1.1.3: the ACK for a 2xx is sent by the TU directly (§13.2.2.4), the ACK
    // for a non-2xx by the INVITE client transaction: never in a transaction of its own.
    if (request.method === 'ACK') {
      throw new TransactionError('ERR_SIP_TRANSACTION_METHOD', 'an ACK has no client transaction');
    }
    const branch = request.topVia.branch;
    if (!isRfc3261Branch(branch)) {
      throw new TransactionError('ERR_SIP_TRANSACTION_BRANCH', 'the top Via needs a z9hG4bK branch');
    }
    const key = clientTransactionKey(branch, request.method);
    if (this.clientTransactions.has(key)) {
      throw new TransactionError(
        'ERR_SIP_TRANSACTION_EXISTS',
        `a ${request.method} transaction ${branch} exists`,
      );
    }
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(request, destination, user, this.context)
        : new NonInviteClientTransaction(request, destination, user, this.context);
    this.track(this.clientTransactions, key, transaction);
    return transaction;
  }

  /** Every message from the transport comes here (registered with `transport.onMessage`). */
  receive(incoming: IncomingMessage): void {
    const { message, flow } = incoming;
    try {
      if (message instanceof SipRequest) this.receiveRequest(message, flow);
      else this.receiveResponse(message, flow);
    } catch (err) {
      // The parser checked the transaction headers; a message still missing one is dropped
      // (RFC 3261 §16.3 step 1, §18.1.2: nothing to match it with or to answer along).
      if (!(err instanceof SipParseError)) throw err;
      this.context.logger.warn({ err: err.reason }, 'message without usable transaction headers dropped');
    }
  }

  /**
   * RFC 3261 §9.2: the TU determines the transaction to be cancelled by taking the CANCEL
   * request, and then assuming that the request method is anything but CANCEL or ACK and
   * applying the transaction matching procedures of Section 17.2.3.
   */
  findCancelTarget(cancel: SipRequest): InviteServerTransaction | undefined {
    // DEVIATION: only INVITE server transactions are looked for: cancelling any other request
    // has no effect (§9.2: its final response is sent at once), so the TU needs none.
    const transaction = this.serverTransactions.get(serverTransactionKey(cancel, 'INVITE'));
    if (!(transaction instanceof InviteServerTransaction)) return undefined;
    return this.sameToTag(cancel, transaction) ? transaction : undefined;
  }

  /** Clears every timer and empties the tables (shutdown); the TU hears nothing more. */
  dispose(): void {
    for (const transaction of this.clientTransactions.values()) transaction.dispose();
    for (const transaction of this.serverTransactions.values()) transaction.dispose();
    this.clientTransactions.clear();
    this.serverTransactions.clear();
  }

  private receiveRequest(request: SipRequest, flow: Flow): void {
    const key = serverTransactionKey(request);
    const existing = this.serverTransactions.get(key);
    if (existing !== undefined) {
      if (this.sameToTag(request, existing)) {
        // RFC 3261 §17.2.3: a retransmission, or the ACK for a non-2xx final response.
        existing.receiveRequest(request, flow);
        return;
      }
      if (request.method !== 'ACK') {
        this.context.logger.debug({ tx: existing.id }, 'RFC 2543 request differing only in To tag dropped');
        return;
      }
    }
    if (request.method === 'ACK') {
      // RFC 3261 §17.2.3 with RFC 6026 §7.1: an ACK matching no transaction is for a 2xx; the
      // UAS core takes it, a proxy forwards it statelessly (§16.11).
      this.notify('onAck', () => this.user.onAck(request, flow));
      return;
    }
    const id = isRfc3261Branch(request.topVia.branch) ? request.topVia.branch : key;
    if (request.method === 'INVITE') {
      const transaction = new InviteServerTransaction(request, flow, this.user, this.context, id);
      this.track(this.serverTransactions, key, transaction);
      this.notify('onRequest', () => this.user.onRequest(request, transaction, flow));
      return;
    }
    const transaction = new NonInviteServerTransaction(request, flow, this.user, this.context, id);
    this.track(this.serverTransactions, key, transaction);
    if (request.method === 'CANCEL') {
      // RFC 3261 §9.2: a CANCEL is a transaction of its own; the TU also gets the INVITE
      // server transaction it matches, to answer that with 487 (Request Terminated).
      const target = this.findCancelTarget(request);
      this.notify('onCancel', () => this.user.onCancel(request, transaction, target, flow));
      return;
    }
    this.notify('onRequest', () => this.user.onRequest(request, transaction, flow));
  }

  private receiveResponse(response: SipResponse, flow: Flow): void {
    const branch = response.topVia.branch;
    const transaction =
      branch === undefined
        ? undefined
        : this.clientTransactions.get(clientTransactionKey(branch, response.cseq.method));
    if (transaction !== undefined) {
      transaction.receiveResponse(response);
      return;
    }
    // RFC 3261 §17.1.3: If no match, the response MUST be passed to the core (a proxy forwards
    // a stray 2xx to INVITE statelessly, RFC 6026 §7.3; the rest is dropped by the TU).
    this.notify('onStrayResponse', () => this.user.onStrayResponse(response, flow));
  }

  /**
   * The To tag part of RFC 2543 matching (§17.2.3): an ACK's To tag against the response sent,
   * any other request's against the request that created the transaction. RFC 3261 branches
   * need no such check.
   */
  private sameToTag(request: SipRequest, transaction: ServerTransaction): boolean {
    if (isRfc3261Branch(request.topVia.branch)) return true;
    const expected = request.method === 'ACK' ? transaction.response?.to.tag : transaction.request.to.tag;
    return request.to.tag === expected;
  }

  private track<T extends ClientTransaction | ServerTransaction>(
    table: Map<string, T>,
    key: string,
    tx: T,
  ): void {
    table.set(key, tx);
    tx.addStateChangeListener((state: TransactionState, transaction: Transaction) => {
      if (state !== TransactionState.Terminated) return;
      // RFC 3261 §17.1.1.2, §17.2.1: once terminated, the transaction MUST be destroyed.
      if (table.get(key) === tx) table.delete(key);
      this.emit(
        'terminated',
        {
          role: tx.role,
          method: tx.method,
          finalStatus: transaction.finalStatus,
          outcome: transaction.outcome,
        },
        tx,
      );
    });
    this.emit('created', tx);
  }

  private notify(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.context.logger.error({ err }, `transaction user failed in ${what}`);
    }
  }
}
