import { TransactionError } from './errors.ts';

/** An opaque handle for a scheduled callback. */
export type TimerHandle = unknown;

/**
 * What transactions schedule their timers with. Injected so tests run on fake time and a
 * function can count or trace timers; `systemTimers` is the real clock.
 */
export interface TimerService {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Node's timers, unref'd: a pending transaction timer alone does not keep the process
 * alive (the sockets do while the function runs).
 */
export const systemTimers: TimerService = {
  setTimeout(callback, ms) {
    const t = setTimeout(callback, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** RFC 3261 §17.1.1.1 and Table 4: the base timer values, in milliseconds. */
export interface TimerValues {
  /** RTT estimate, default 500 ms. */
  readonly T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly T2: number;
  /** Maximum duration a message will remain in the network, default 5 s. */
  readonly T4: number;
}

/** RFC 3261 Table 4 defaults. */
export const DEFAULT_TIMER_VALUES: TimerValues = Object.freeze({ T1: 500, T2: 4000, T4: 5000 });

/** Fills in defaults and checks the values; the result is frozen. */
export function resolveTimerValues(options: Partial<TimerValues> = {}): TimerValues {
  const values = { ...DEFAULT_TIMER_VALUES, ...options };
  for (const name of ['T1', 'T2', 'T4'] as const) {
    const v = values[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new TransactionError('ERR_SIP_TRANSACTION_OPTIONS', `${name} must be a positive number of ms`);
    }
  }
  // RFC 3261 §17.1.2.2: retransmission intervals grow from T1 up to T2.
  if (values.T2 < values.T1) throw new TransactionError('ERR_SIP_TRANSACTION_OPTIONS', 'T2 must be >= T1');
  return Object.freeze(values);
}
