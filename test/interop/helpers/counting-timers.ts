/**
 * A TimerService that keeps Node's timers and counts them: every timer scheduled and not yet
 * fired or cleared is `pending`. The leak test gives it to the proxy (transactions and
 * Timer C) and asserts that nothing is left once the traffic has stopped.
 */
import { systemTimers, type TimerHandle, type TimerService } from '../../../src/sip/transaction/index.ts';

export class CountingTimers implements TimerService {
  private readonly live = new Set<TimerHandle>();
  scheduled = 0;
  fired = 0;
  cleared = 0;

  get pending(): number {
    return this.live.size;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.scheduled++;
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
