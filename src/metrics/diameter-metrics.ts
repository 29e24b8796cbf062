import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, Histogram, type Registry } from 'prom-client';
import {
  type DiameterAnswerEvent,
  DiameterChannel,
  type DiameterFailureEvent,
} from '../diameter/diagnostics/diameter-diagnostics.ts';

/** Seconds; Cx answers from the HSS take milliseconds, a timeout the request timeout (5 s). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * `diameter_requests_total{direction,command,result}` and
 * `diameter_request_duration_seconds{direction,command}` from the Diameter node's
 * node:diagnostics_channel events (DiameterChannel): an answer received to one of our requests
 * (`direction="out"`: we asked) or sent to a peer's (`direction="in"`: we were asked). `result`
 * is the Result-Code or Experimental-Result-Code; a request of ours that got no answer counts
 * with the error's code (`ERR_DIAMETER_TIMEOUT`, ...). Only events of the node named
 * `originHost` count (several nodes may share a process, e.g. in tests).
 */
export class DiameterMetrics {
  private readonly total: Counter<'direction' | 'command' | 'result'>;
  private readonly duration: Histogram<'direction' | 'command'>;
  private readonly onAnswer: (message: unknown) => void;
  private readonly onFailure: (message: unknown) => void;

  constructor(registry: Registry, originHost: string) {
    this.total = new Counter({
      name: 'diameter_requests_total',
      help: 'Diameter requests answered, by direction (out: ours, in: a peer’s), command and result code',
      labelNames: ['direction', 'command', 'result'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'diameter_request_duration_seconds',
      help: 'Time from a Diameter request to its answer (or failure)',
      labelNames: ['direction', 'command'],
      buckets: BUCKETS,
      registers: [registry],
    });
    this.onAnswer = (message) => {
      const e = message as DiameterAnswerEvent;
      if (e.node !== originHost) return;
      // An answer that came in is to a request we sent out, and the other way round.
      const direction = e.direction === 'in' ? 'out' : 'in';
      const result = e.resultCode !== undefined ? String(e.resultCode) : e.error ? 'error' : 'none';
      this.record(direction, e.command, result, e.durationMs);
    };
    this.onFailure = (message) => {
      const e = message as DiameterFailureEvent;
      if (e.node !== originHost) return;
      this.record('out', e.command, e.reason, e.durationMs);
    };
    subscribe(DiameterChannel.answer, this.onAnswer);
    subscribe(DiameterChannel.failure, this.onFailure);
  }

  /** Stops listening to the channels. */
  close(): void {
    unsubscribe(DiameterChannel.answer, this.onAnswer);
    unsubscribe(DiameterChannel.failure, this.onFailure);
  }

  private record(direction: 'in' | 'out', command: string, result: string, durationMs: number): void {
    this.total.inc({ direction, command, result });
    this.duration.observe({ direction, command }, durationMs / 1000);
  }
}
