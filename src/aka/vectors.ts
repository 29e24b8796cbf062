import { randomBytes, timingSafeEqual } from 'node:crypto';
import { requireLength, sqnFromBytes, sqnToBytes, xor } from './bytes.ts';
import { AkaError } from './errors.ts';
import type { Milenage } from './milenage.ts';

/** TS 33.102 §6.3.3: MAC-S is computed with a dummy AMF of all zeros. */
const RESYNC_AMF = Buffer.alloc(2);

/** An authentication vector (quintet), TS 33.102 §6.3.2. */
export interface AuthenticationVector {
  rand: Buffer;
  xres: Buffer;
  ck: Buffer;
  ik: Buffer;
  /** AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A. */
  autn: Buffer;
  /** The SQN this vector carries: the HE stores it as SQN_HE once the vector is handed out. */
  sqn: number;
}

export interface VectorRequest {
  sqn: number;
  amf: Uint8Array;
  /** Defaults to 16 random octets. */
  rand?: Uint8Array;
}

/** HE side: one authentication vector (TS 33.102 §6.3.2, figure 8). */
export function generateAuthenticationVector(
  milenage: Milenage,
  request: VectorRequest,
): AuthenticationVector {
  const rand = Buffer.from(request.rand ?? randomBytes(16));
  const sqn = sqnToBytes(request.sqn);
  const out = milenage.compute(rand, sqn, request.amf);
  return {
    rand,
    xres: out.res,
    ck: out.ck,
    ik: out.ik,
    autn: Buffer.concat([xor(sqn, out.ak), request.amf, out.macA]),
    sqn: request.sqn,
  };
}

/** What a USIM reads from AUTN (TS 33.102 §6.3.3), before it judges MAC and SQN. */
export interface OpenedAutn {
  sqn: number;
  amf: Buffer;
  mac: Buffer;
  /** XMAC = f1(SQN, RAND, AMF) as the USIM computes it. */
  xmac: Buffer;
  macValid: boolean;
}

/** USIM side: recovers SQN with AK = f5(RAND) and computes XMAC (TS 33.102 §6.3.3). */
export function openAutn(milenage: Milenage, rand: Uint8Array, autn: Uint8Array): OpenedAutn {
  requireLength('AUTN', autn, 16);
  const sqnBytes = xor(autn.subarray(0, 6), milenage.f2345(rand).ak);
  const amf = Buffer.from(autn.subarray(6, 8));
  const mac = Buffer.from(autn.subarray(8, 16));
  const xmac = milenage.f1(rand, sqnBytes, amf);
  return { sqn: sqnFromBytes(sqnBytes), amf, mac, xmac, macValid: timingSafeEqual(mac, xmac) };
}

/** USIM side: AUTS = SQN_MS ⊕ AK* ‖ MAC-S, with AK* = f5*(RAND), MAC-S = f1*(SQN_MS, RAND, 0). */
export function computeAuts(milenage: Milenage, rand: Uint8Array, sqnMs: number): Buffer {
  const sqn = sqnToBytes(sqnMs);
  return Buffer.concat([xor(sqn, milenage.f5star(rand)), milenage.f1star(rand, sqn, RESYNC_AMF)]);
}

/**
 * HE side of resynchronisation (TS 33.102 §6.3.5): recovers SQN_MS from AUTS and checks
 * MAC-S; throws AkaError MAC_FAILURE when it does not verify. The caller then continues from
 * `SqnScheme.afterResync(sqnHe, sqnMs)`.
 */
export function verifyAuts(milenage: Milenage, rand: Uint8Array, auts: Uint8Array): number {
  requireLength('AUTS', auts, 14);
  const sqnMs = xor(auts.subarray(0, 6), milenage.f5star(rand));
  const xmacS = milenage.f1star(rand, sqnMs, RESYNC_AMF);
  if (!timingSafeEqual(xmacS, auts.subarray(6, 14))) {
    throw new AkaError('MAC_FAILURE', 'AUTS: MAC-S does not verify');
  }
  return sqnFromBytes(sqnMs);
}
