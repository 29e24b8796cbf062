import { NamedTimer } from './named-timer.ts';

export interface ReconnectTimerOptions {
  /** The ceiling Tc, ms (RFC 6733 §2.1 suggests 30 s). */
  tc?: number;
  /** The first delay of the exponential backoff, ms. */
  tcMin?: number;
}

/**
 * RFC 6733 §2.1 Tc, the reconnection timer of a peer (RFC 3539's AttemptOpen()): after each
 * failure the delay doubles from `tcMin` up to `tc`, with jitter so that peers do not return
 * in step. §5.4.3: after a DPR with BUSY or DO_NOT_WANT_TO_TALK_TO_YOU the peer "SHOULD NOT"
 * be reconnected soon, so the full Tc is waited.
 */
export class ReconnectTimer {
  private readonly timer = new NamedTimer('Tc');
  private failures = 0;
  private readonly tc: number;
  private readonly tcMin: number;

  constructor(options: ReconnectTimerOptions = {}) {
    this.tc = options.tc ?? 30_000;
    this.tcMin = options.tcMin ?? 1000;
  }

  /** Starts Tc; `attempt` runs when it expires. `polite`: the peer asked us to stay away. */
  schedule(polite: boolean, attempt: () => void): void {
    this.timer.clear();
    const delay = polite
      ? this.tc
      : Math.min(this.tc, this.tcMin * 2 ** this.failures) * (0.75 + Math.random() * 0.25);
    this.failures++;
    this.timer.set(delay, attempt);
  }

  /** The connection opened: the next failure starts the backoff again from `tcMin`. */
  reset(): void {
    this.failures = 0;
  }

  clear(): void {
    this.timer.clear();
  }
}
