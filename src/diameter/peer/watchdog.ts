/** RFC 3539 §3.4.1 watchdog states. */
export enum WatchdogState {
  Initial = 'INITIAL',
  Okay = 'OKAY',
  Suspect = 'SUSPECT',
  Down = 'DOWN',
  Reopen = 'REOPEN',
}

const TRANSITIONS: Record<WatchdogState, readonly WatchdogState[]> = {
  [WatchdogState.Initial]: [WatchdogState.Okay, WatchdogState.Down],
  [WatchdogState.Okay]: [WatchdogState.Okay, WatchdogState.Suspect, WatchdogState.Down],
  [WatchdogState.Suspect]: [WatchdogState.Okay, WatchdogState.Down],
  [WatchdogState.Down]: [WatchdogState.Reopen, WatchdogState.Down, WatchdogState.Initial],
  [WatchdogState.Reopen]: [WatchdogState.Reopen, WatchdogState.Okay, WatchdogState.Down],
};

/** What the watchdog asks of its peer. */
export interface WatchdogUser {
  /** Send a DWR now. */
  sendWatchdog(): void;
  /** RFC 3539 Failover(): stop sending requests to this peer, move pending ones elsewhere. */
  failover(): void;
  /** RFC 3539 Failback(): the peer may take requests again. */
  failback(): void;
  /** RFC 3539 CloseConnection(): the connection is declared dead. */
  closeConnection(): void;
}

export interface WatchdogOptions {
  /** Twinit in ms. RFC 3539 §3.4.1: SHOULD be 30 s, MUST NOT be under 6 s (tests use less). */
  twInit?: number;
  /** Jitter in ms added to each Tw, uniformly in [-jitter, +jitter]; RFC 3539 says ±2 s. */
  jitter?: number;
  random?: () => number;
}

/**
 * The RFC 3539 §3.4 application-layer watchdog of one peer connection. Tw restarts on every
 * message received; when it expires a DWR is sent; a second expiry with the DWR unanswered makes
 * the peer SUSPECT (failover), a third closes the connection (DOWN). After a reconnection the peer
 * stays in REOPEN until three DWAs have come back (failback).
 */
export class Watchdog {
  private stateValue = WatchdogState.Initial;
  private tw: ReturnType<typeof setTimeout> | undefined;
  private pending = false;
  private numDwa = 0;
  private readonly twInit: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(
    private readonly user: WatchdogUser,
    options: WatchdogOptions = {},
  ) {
    this.twInit = options.twInit ?? 30_000;
    this.jitter = options.jitter ?? Math.min(2000, this.twInit / 4);
    this.random = options.random ?? Math.random;
  }

  get state(): WatchdogState {
    return this.stateValue;
  }

  /** Whether requests may be routed to this peer. */
  get usable(): boolean {
    return this.stateValue === WatchdogState.Okay;
  }

  /** The transport (and capabilities exchange) came up. */
  connectionUp(): void {
    if (this.stateValue === WatchdogState.Initial) {
      this.transition(WatchdogState.Okay);
      this.setWatchdog();
    } else if (this.stateValue === WatchdogState.Down) {
      // RFC 3539 §3.4.1 DOWN, connection up: NumDWA = 0; SendWatchdog(); SetWatchdog(); Pending = TRUE.
      this.numDwa = 0;
      this.transition(WatchdogState.Reopen);
      this.sendWatchdog();
      this.setWatchdog();
    }
  }

  /**
   * The connection went down (or was closed). `orderly`: closed after a DPR/DPA exchange (RFC
   * 6733 §5.4), a peer going away on purpose (a restart), not a failure: its next connection
   * is usable at once (INITIAL), not held in REOPEN for three watchdog exchanges, which RFC 3539
   * §3.4.1 keeps for links that failed.
   */
  connectionDown(orderly = false): void {
    this.closed();
    if (orderly) this.transition(WatchdogState.Initial);
  }

  private closed(): void {
    const was = this.stateValue;
    if (was === WatchdogState.Down || was === WatchdogState.Initial) {
      this.transition(WatchdogState.Down);
      this.clearTimer();
      return;
    }
    this.transition(WatchdogState.Down);
    this.clearTimer();
    if (was === WatchdogState.Okay) this.user.failover();
  }

  /** A DWA came back. */
  receivedDwa(): void {
    this.pending = false;
    switch (this.stateValue) {
      case WatchdogState.Okay:
        this.setWatchdog();
        break;
      case WatchdogState.Suspect:
        this.transition(WatchdogState.Okay);
        this.user.failback();
        this.setWatchdog();
        break;
      case WatchdogState.Reopen:
        // RFC 3539 §3.4.1: "if (NumDWA == 2) { NumDWA++; Failback(); state = OKAY }".
        if (this.numDwa === 2) {
          this.numDwa++;
          this.transition(WatchdogState.Okay);
          this.user.failback();
        } else {
          this.numDwa++;
        }
        break;
      default:
        break;
    }
  }

  /** Any other message came in: the connection is alive. */
  receivedOther(): void {
    switch (this.stateValue) {
      case WatchdogState.Okay:
        this.setWatchdog();
        break;
      case WatchdogState.Suspect:
        this.transition(WatchdogState.Okay);
        this.user.failback();
        this.setWatchdog();
        break;
      default:
        // REOPEN: "Throwaway()" — traffic does not count until the DWAs have come back.
        break;
    }
  }

  /** Clears the timer; the watchdog can be used again after connectionUp. */
  dispose(): void {
    this.clearTimer();
  }

  private onTw(): void {
    this.tw = undefined;
    switch (this.stateValue) {
      case WatchdogState.Okay:
        if (!this.pending) {
          this.sendWatchdog();
          this.setWatchdog();
        } else {
          this.transition(WatchdogState.Suspect);
          this.user.failover();
          this.setWatchdog();
        }
        break;
      case WatchdogState.Suspect:
        this.transition(WatchdogState.Down);
        this.user.closeConnection();
        break;
      case WatchdogState.Reopen:
        if (!this.pending) {
          this.sendWatchdog();
          this.setWatchdog();
        } else if (this.numDwa < 0) {
          this.transition(WatchdogState.Down);
          this.user.closeConnection();
        } else {
          this.numDwa = -1;
          this.setWatchdog();
        }
        break;
      default:
        break;
    }
  }

  private sendWatchdog(): void {
    this.pending = true;
    this.user.sendWatchdog();
  }

  private setWatchdog(): void {
    this.clearTimer();
    const tw = this.twInit + (this.random() * 2 - 1) * this.jitter;
    this.tw = setTimeout(() => this.onTw(), Math.max(1, tw));
    this.tw.unref?.();
  }

  private clearTimer(): void {
    if (this.tw !== undefined) clearTimeout(this.tw);
    this.tw = undefined;
  }

  private transition(to: WatchdogState): void {
    if (!TRANSITIONS[this.stateValue].includes(to)) {
      throw new Error(`watchdog: no transition ${this.stateValue} → ${to}`);
    }
    this.stateValue = to;
  }
}
