/** The SIP transport layer: RFC 3261 §18 over UDP, TCP, TLS, WebSocket (RFC 7118). */
export * from './connection-table.ts';
export * from './self-signed-certificate.ts';
export * from './sip-transport-layer.ts';
export * from './transport-options.ts';
export * from './transport-stats.ts';
export * from './types.ts';
