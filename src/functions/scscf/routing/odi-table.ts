/**
 * The original dialog identifiers the S-CSCF puts in the Route towards an application server
 * (TS 24.229 §5.4.3.2 step 4, §5.4.3.3 step 3): when the request comes back with it, the
 * S-CSCF knows the session case, the served user and where iFC evaluation stopped. Tokens are
 * random (unguessable), entries expire and the table is bounded (oldest dropped first).
 */
import type { SessionCase } from '../../../ims/ifc/model.ts';
import { randomText } from '../../../sip/message/index.ts';

/** What the S-CSCF must remember about a request it sent to an AS. */
export interface OriginalDialogState {
  sessionCase: SessionCase;
  /** The served user's public identity (canonical form). */
  servedUser: string;
  /** Registration state of the served user when evaluation started. */
  registered: boolean;
  /** Priority of the iFC whose AS got the request: evaluation resumes after it (TS 23.218 §6.5). */
  lastPriority: number;
  /** Terminating case: the Request-URI the request had when it reached this S-CSCF. */
  calledParty?: string;
}

interface Entry {
  state: OriginalDialogState;
  expiresAt: number;
}

/** Marks the user part of our Route URI as an original dialog identifier. */
export const ODI_PREFIX = 'odi-';

export class OriginalDialogTable {
  /** Map iteration order is insertion order: the oldest entry comes first. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Stores the state and returns its identifier (the user part of the Route URI). */
  add(state: OriginalDialogState): string {
    const now = this.now();
    this.evict(now);
    const token = `${ODI_PREFIX}${randomText(16, 'base64url')}`;
    this.entries.set(token, { state, expiresAt: now + this.ttlMs });
    return token;
  }

  /** The state of an identifier, or undefined when unknown or expired. */
  get(token: string): OriginalDialogState | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.state;
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  /** Drops expired entries (all at the front, TTLs being equal) and the oldest over the bound. */
  private evict(now: number): void {
    for (const [token, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(token);
    }
  }
}
