/** The SIP transaction layer: RFC 3261 §17 with the RFC 6026 corrections. */
export * from './branch.ts';
export * from './client-transaction.ts';
export * from './errors.ts';
export * from './invite-client-transaction.ts';
export * from './invite-server-transaction.ts';
export * from './non-2xx-ack.ts';
export * from './non-invite-client-transaction.ts';
export * from './non-invite-server-transaction.ts';
export * from './server-transaction.ts';
export * from './timers.ts';
export * from './transaction.ts';
export * from './transaction-key.ts';
export * from './transaction-layer.ts';
export * from './transaction-state.ts';
export * from './transaction-user.ts';
