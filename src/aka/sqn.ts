import { requireSqn } from './bytes.ts';
import { AkaError } from './errors.ts';

/** Parameters of the sequence number scheme of TS 33.102 Annex C (profile of Annex C.3). */
export interface SqnSchemeOptions {
  /** Length of IND in bits; the USIM keeps 2^indBits SEQ_MS values. Annex C.3: 5. */
  indBits?: number;
  /** Δ: how far ahead of the highest accepted SEQ a new SEQ may be. Annex C.3: 2^28. */
  delta?: number;
  /** L: optional age limit, how far below the highest accepted SEQ a new SEQ may be. */
  ageLimit?: number | undefined;
}

/**
 * What a USIM remembers of accepted sequence numbers (TS 33.102 Annex C.2.2, array
 * scheme): SEQ_MS(i), the highest SEQ accepted with IND = i. A plain value the owner stores.
 */
export interface UsimSqnState {
  readonly seqMs: readonly number[];
}

/** Why a USIM refuses SQN (and answers with AUTS). */
export type SqnRejection =
  /** SEQ ≤ SEQ_MS(IND): already used, or older than one used in the same IND slot (a replay). */
  | 'NOT_FRESH'
  /** SEQ − SEQ_MS > Δ: the network is too far ahead (Annex C.2.1 wrap-around protection). */
  | 'TOO_FAR_AHEAD'
  /** SEQ_MS − SEQ ≥ L: older than the age limit (Annex C.2.2). */
  | 'TOO_OLD';

export type SqnCheck = { fresh: true; state: UsimSqnState } | { fresh: false; reason: SqnRejection };

/**
 * Sequence number management, TS 33.102 Annex C: SQN = SEQ ‖ IND, SEQ not time-based
 * (Annex C.1.1.2), IND allocated cyclically (Annex C.1.2), and the array scheme with the
 * Δ and L limits in the USIM (Annex C.2). Pure: every method takes the state it works on and
 * returns the next one; the HSS persists SQN_HE, a test's USIM its {@link UsimSqnState}.
 */
export class SqnScheme {
  readonly indBits: number;
  readonly delta: number;
  readonly ageLimit: number | undefined;
  readonly #indValues: number;
  readonly #maxSeq: number;

  constructor(options: SqnSchemeOptions = {}) {
    this.indBits = options.indBits ?? 5;
    this.delta = options.delta ?? 2 ** 28;
    this.ageLimit = options.ageLimit;
    if (!Number.isInteger(this.indBits) || this.indBits < 0 || this.indBits > 16) {
      throw new AkaError('BAD_INPUT', `IND length ${this.indBits} bits is not in 0..16`);
    }
    this.#indValues = 2 ** this.indBits;
    this.#maxSeq = 2 ** (48 - this.indBits) - 1;
  }

  /** SEQ, the counter part of SQN. */
  seq(sqn: number): number {
    return Math.floor(sqn / this.#indValues);
  }

  /** IND, the index part of SQN. */
  ind(sqn: number): number {
    return sqn % this.#indValues;
  }

  /** SQN = SEQ ‖ IND. */
  sqn(seq: number, ind: number): number {
    return seq * this.#indValues + (ind % this.#indValues);
  }

  /**
   * HE side: the SQN of the next authentication vector after SQN_HE, the last one issued.
   * Annex C.1.1.2: SEQ_HE + 1; Annex C.1.2: IND cycles, so up to 2^indBits vectors handed
   * out together may be used in any order.
   */
  next(sqnHe: number): number {
    requireSqn('SQN_HE', sqnHe);
    const seq = this.seq(sqnHe) + 1;
    if (seq > this.#maxSeq) throw new AkaError('SQN_OUT_OF_RANGE', 'SEQ space exhausted');
    return this.sqn(seq, this.ind(sqnHe) + 1);
  }

  /**
   * HE side, after a verified AUTS: the SQN_HE to continue from. TS 33.102 §6.3.5: if the
   * next SQN from SQN_HE would be accepted by the USIM, SQN_HE stays; otherwise SQN_HE is
   * set to SQN_MS. The HE knows only the highest SEQ_MS, so "accepted" is judged against it.
   */
  afterResync(sqnHe: number, sqnMs: number): number {
    requireSqn('SQN_MS', sqnMs);
    const seqNext = this.seq(this.next(sqnHe));
    const seqMs = this.seq(sqnMs);
    return seqNext > seqMs && seqNext - seqMs <= this.delta ? sqnHe : sqnMs;
  }

  /** USIM side: the state of a USIM that has accepted nothing yet. */
  initialUsimState(): UsimSqnState {
    return { seqMs: new Array<number>(this.#indValues).fill(0) };
  }

  /** USIM side: is SQN fresh (Annex C.2)? When it is, the state that records it. */
  check(state: UsimSqnState, sqn: number): SqnCheck {
    requireSqn('SQN', sqn);
    const seq = this.seq(sqn);
    const ind = this.ind(sqn);
    const highest = this.#highestSeq(state);
    // Annex C.2.2: accept only if SEQ > SEQ_MS(i), i = IND.
    if (seq <= (state.seqMs[ind] ?? 0)) return { fresh: false, reason: 'NOT_FRESH' };
    // Annex C.2.1: SEQ − SEQ_MS ≤ Δ, SEQ_MS the highest accepted.
    if (seq - highest > this.delta) return { fresh: false, reason: 'TOO_FAR_AHEAD' };
    // Annex C.2.2: optional age limit L.
    if (this.ageLimit !== undefined && highest - seq >= this.ageLimit)
      return { fresh: false, reason: 'TOO_OLD' };
    const seqMs = this.#normalise(state);
    seqMs[ind] = seq;
    return { fresh: true, state: { seqMs } };
  }

  /** USIM side: SQN_MS for AUTS, the highest previously accepted SQN (TS 33.102 §6.3.3). */
  highestAccepted(state: UsimSqnState): number {
    const seqMs = this.#normalise(state);
    let ind = 0;
    for (let i = 1; i < seqMs.length; i++) if ((seqMs[i] ?? 0) > (seqMs[ind] ?? 0)) ind = i;
    return this.sqn(seqMs[ind] ?? 0, ind);
  }

  #highestSeq(state: UsimSqnState): number {
    let highest = 0;
    for (const seq of state.seqMs) if (seq > highest) highest = seq;
    return highest;
  }

  /** A copy of the array with exactly 2^indBits entries (a stored state may predate a change). */
  #normalise(state: UsimSqnState): number[] {
    const seqMs = state.seqMs.slice(0, this.#indValues);
    while (seqMs.length < this.#indValues) seqMs.push(0);
    return seqMs;
  }
}
