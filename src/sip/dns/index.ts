/** Locating SIP servers (RFC 3263): NAPTR, SRV (RFC 2782) and A/AAAA, with a static host table. */
export * from './dns-cache.ts';
export * from './node-dns-client.ts';
export * from './resolve-error.ts';
export * from './resolver-options.ts';
export * from './sip-resolver.ts';
export * from './srv-order.ts';
export * from './types.ts';
