/** A transaction-stateful SIP proxy core (RFC 3261 §16) that network functions drive with a policy. */
export * from './best-response.ts';
export * from './cancel.ts';
export * from './forwarder.ts';
export * from './proxy-policy.ts';
export * from './request-checks.ts';
export * from './response-context.ts';
export * from './stateful-proxy.ts';
