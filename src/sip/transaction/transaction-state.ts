/**
 * The states of the four transaction state machines: RFC 3261 §17 Figures 5-8 as updated by
 * RFC 6026 (Accepted). Each machine uses a subset; its `stateTransition()` checks which.
 */
export enum TransactionState {
  /** INVITE client: request sent, no response yet (§17.1.1.2). */
  Calling = 'Calling',
  /** Non-INVITE client and server: request sent or received, no response yet. */
  Trying = 'Trying',
  /** A provisional response received (client) or sent (server). */
  Proceeding = 'Proceeding',
  /** A final response received (client) or sent (server); absorbing retransmissions. */
  Completed = 'Completed',
  /** INVITE server: ACK for the non-2xx final response received (§17.2.1). */
  Confirmed = 'Confirmed',
  /** INVITE client and server: a 2xx received or sent (RFC 6026 §7.1, §7.2). */
  Accepted = 'Accepted',
  /** Done: the transaction is out of the tables and its timers cleared. */
  Terminated = 'Terminated',
}
