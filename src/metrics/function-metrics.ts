import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { TransactionLayer } from '../sip/transaction/index.ts';
import { DiameterMetrics } from './diameter-metrics.ts';
import { SipTransactionMetrics } from './sip-transaction-metrics.ts';

/** What the metrics of one running network function are read from. */
export interface MetricsSource {
  /** The function's name, a `function` label on every series. */
  name: string;
  sipLayers?: readonly TransactionLayer[];
  /** Origin-Host of the function's Diameter node, if it has one. */
  diameterOriginHost?: string;
  /** Read at each scrape: whether the function can serve, and its registered users. */
  snapshot(): Promise<{ healthy: boolean; registeredUsers?: number | undefined }>;
  /** Whether the function keeps registrations (S-CSCF, P-CSCF): only then is `ims_registered_users` exposed. */
  countsRegisteredUsers?: boolean;
}

export interface FunctionMetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC); on by default. */
  processMetrics?: boolean;
}

/**
 * The Prometheus registry of one network function (one per process, never prom-client's global
 * one): SIP transactions, Diameter requests, `ims_registered_users`, `ims_function_up`, and the
 * process metrics.
 */
export class FunctionMetrics {
  readonly registry = new Registry();
  private readonly detach: (() => void)[] = [];

  constructor(source: MetricsSource, options: FunctionMetricsOptions = {}) {
    this.registry.setDefaultLabels({ function: source.name });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const sip = new SipTransactionMetrics(this.registry);
    for (const layer of source.sipLayers ?? []) this.detach.push(sip.observe(layer));
    if (source.diameterOriginHost !== undefined) {
      const diameter = new DiameterMetrics(this.registry, source.diameterOriginHost);
      this.detach.push(() => diameter.close());
    }
    // Both gauges read one snapshot per scrape.
    let pending: ReturnType<MetricsSource['snapshot']> | undefined;
    const snapshot = () => {
      pending ??= source.snapshot().finally(() => {
        pending = undefined;
      });
      return pending;
    };
    new Gauge({
      name: 'ims_function_up',
      help: '1 when the function runs and can serve (its /health is 200), else 0',
      registers: [this.registry],
      async collect() {
        this.set((await snapshot().catch(() => ({ healthy: false }))).healthy ? 1 : 0);
      },
    });
    // A function that keeps no registrations (HSS, I-CSCF) exposes none, rather than a 0 that
    // a dashboard would sum with the others.
    if (source.countsRegisteredUsers)
      new Gauge({
        name: 'ims_registered_users',
        help:
          'Registered users: implicit registration sets in state registered (S-CSCF); ' +
          'UE registrations, one per registered identity and flow (P-CSCF)',
        registers: [this.registry],
        async collect() {
          const users = (await snapshot().catch(() => undefined))?.registeredUsers;
          if (users !== undefined) this.set(users);
        },
      });
  }

  /** The text exposition format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops counting (listeners and channel subscriptions removed). */
  close(): void {
    for (const d of this.detach.splice(0)) d();
  }
}
