export { DiameterMetrics } from './diameter-metrics.ts';
export { FunctionMetrics, type FunctionMetricsOptions, type MetricsSource } from './function-metrics.ts';
export { type HealthServer, type HealthServerOptions, startHealthServer } from './health-server.ts';
export { SipTransactionMetrics } from './sip-transaction-metrics.ts';
