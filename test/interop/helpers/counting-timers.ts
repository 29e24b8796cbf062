/**
 * A TimerService that keeps Node's timers and counts them: every timer scheduled and not yet
 * fired or cleared is `pending`. The leak test gives it to the proxy (transactions and
 * Timer C) and asserts that nothing is left once the traffic has stopped.
 */
import { systemTimers, type TimerHandle, type TimerService } from '../../../src/sip/transaction/index.ts';

export class CountingTimers implements TimerService {
  private readonly live = new Set<TimerHandle>();
  private readonly byDuration = new Map<number, number>();
  scheduled = 0;
  fired = 0;
  cleared = 0;

  get pending(): number {
    return this.live.size;
  }

  /** How many timers were scheduled with exactly this duration (to pick out one timer, e.g. C). */
  scheduledWith(ms: number): number {
    return this.byDuration.get(ms) ?? 0;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.scheduled++;
    this.byDuration.set(ms, (this.byDuration.get(ms) ?? 0) + 1);
    const handle = systemTimers.setTimeout(() => {
      this.live.delete(handle);
      this.fired++;
      callback();
    }, ms);
    this.live.add(handle);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    if (this.live.delete(handle)) this.cleared++;
    systemTimers.clearTimeout(handle);
  }
}
