import { AkaError } from './errors.ts';
import { Milenage, type SubscriberKeys } from './milenage.ts';
import { type SqnRejection, SqnScheme, type UsimSqnState } from './sqn.ts';
import { computeAuts, openAutn } from './vectors.ts';

export interface UsimOptions extends SubscriberKeys {
  /** Defaults to the Annex C.3 profile (5-bit IND, Δ = 2^28, no age limit). */
  scheme?: SqnScheme;
  /** What the USIM has accepted before; defaults to nothing. */
  state?: UsimSqnState;
}

/** The USIM's answer to (RAND, AUTN) once MAC-A has verified. */
export type UsimAuthentication =
  | { outcome: 'authenticated'; res: Buffer; ck: Buffer; ik: Buffer; sqn: number; amf: Buffer }
  /** TS 33.102 §6.3.3: SQN not in range; AUTS goes back to the HE for resynchronisation. */
  | { outcome: 'sync-failure'; auts: Buffer; sqnMs: number; reason: SqnRejection };

/**
 * The authentication side of a USIM (TS 33.102 §6.3.3) for test clients and simulators:
 * checks MAC-A, then SQN freshness with the array scheme of Annex C.2, and answers with RES,
 * CK, IK or with AUTS. It keeps its own SQN state; `sqnState` exposes it for storing.
 */
export class Usim {
  readonly milenage: Milenage;
  readonly scheme: SqnScheme;
  #state: UsimSqnState;

  constructor(options: UsimOptions) {
    this.milenage = Milenage.fromKeys(options);
    this.scheme = options.scheme ?? new SqnScheme();
    this.#state = options.state ?? this.scheme.initialUsimState();
  }

  get sqnState(): UsimSqnState {
    return this.#state;
  }

  /**
   * Runs the USIM's part of AKA. Throws AkaError MAC_FAILURE when AUTN was not made with this
   * subscriber's K (the UE then rejects the network: "user authentication reject").
   */
  authenticate(rand: Uint8Array, autn: Uint8Array): UsimAuthentication {
    const opened = openAutn(this.milenage, rand, autn);
    if (!opened.macValid) throw new AkaError('MAC_FAILURE', 'AUTN: MAC-A does not verify');
    const check = this.scheme.check(this.#state, opened.sqn);
    if (!check.fresh) {
      const sqnMs = this.scheme.highestAccepted(this.#state);
      return {
        outcome: 'sync-failure',
        auts: computeAuts(this.milenage, rand, sqnMs),
        sqnMs,
        reason: check.reason,
      };
    }
    this.#state = check.state;
    const { res, ck, ik } = this.milenage.f2345(rand);
    return { outcome: 'authenticated', res, ck, ik, sqn: opened.sqn, amf: opened.amf };
  }
}
