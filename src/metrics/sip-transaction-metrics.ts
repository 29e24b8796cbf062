import { performance } from 'node:perf_hooks';
import { Counter, Histogram, type Registry } from 'prom-client';
import {
  type ClientTransaction,
  type ServerTransaction,
  type TransactionLayer,
  TransactionState,
} from '../sip/transaction/index.ts';

type AnyTransaction = ClientTransaction | ServerTransaction;

/** Seconds; SIP answers take from sub-millisecond (a local 401) to Timer B/F (32 s). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 32];

/**
 * `sip_transactions_total{role,method,status}` and `sip_transaction_duration_seconds{role,method}`
 * from the transaction layers' `created`/`terminated` events. A transaction counts once, when its
 * first final response is sent or received (so the figure does not wait for Timer J/K), or when
 * it ends without one (status `timeout` or `transport-error`). The duration is from creation
 * (request sent or received) to that final response.
 */
export class SipTransactionMetrics {
  private readonly total: Counter<'role' | 'method' | 'status'>;
  private readonly duration: Histogram<'role' | 'method'>;

  constructor(registry: Registry) {
    this.total = new Counter({
      name: 'sip_transactions_total',
      help: 'SIP transactions by role (client/server), method and final status (or timeout, transport-error)',
      labelNames: ['role', 'method', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'sip_transaction_duration_seconds',
      help: 'Time from a transaction request to its first final response',
      labelNames: ['role', 'method'],
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  /** Counts the transactions of `layer` from now on; returns a function that stops it. */
  observe(layer: TransactionLayer): () => void {
    // Each transaction's own listener counts it once: at its first final response, or when it
    // terminates without one (no side table keyed by transaction for the collector to trace).
    const onCreated = (tx: AnyTransaction) => {
      const started = performance.now();
      let counted = false;
      tx.addStateChangeListener((state) => {
        if (counted) return;
        const final = tx.finalStatus;
        if (final === undefined && state !== TransactionState.Terminated) return;
        counted = true;
        const status = final !== undefined ? String(final) : tx.outcome;
        this.total.inc({ role: tx.role, method: tx.method, status });
        this.duration.observe({ role: tx.role, method: tx.method }, (performance.now() - started) / 1000);
      });
    };
    layer.on('created', onCreated);
    return () => {
      layer.off('created', onCreated);
    };
  }
}
