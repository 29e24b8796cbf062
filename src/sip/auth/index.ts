// Digest (RFC 7616, RFC 2617) and Digest AKA (RFC 3310, RFC 4169): server and client side,
// on typed challenge and credential objects. Header text belongs to src/sip/message.
export * from './aka-digest.ts';
export * from './digest-client.ts';
export * from './digest-hash.ts';
export * from './digest-params.ts';
export * from './digest-server.ts';
export * from './digest-types.ts';
export * from './errors.ts';
export * from './nonce-table.ts';
