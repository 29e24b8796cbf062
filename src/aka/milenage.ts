import { type Cipher, createCipheriv } from 'node:crypto';
import { requireLength, xor } from './bytes.ts';
import { AkaError } from './errors.ts';

/** f2, f3, f4 and f5 of one RAND (TS 35.206 §4.1: they share OUT2..OUT4). */
export interface MilenageKeys {
  /** f2: RES / XRES, 64 bits. */
  res: Buffer;
  /** f3: cipher key CK, 128 bits. */
  ck: Buffer;
  /** f4: integrity key IK, 128 bits. */
  ik: Buffer;
  /** f5: anonymity key AK, 48 bits. */
  ak: Buffer;
}

/** Every output of the seven functions for one (RAND, SQN, AMF). */
export interface MilenageOutputs extends MilenageKeys {
  /** f1: network authentication code MAC-A, 64 bits. */
  macA: Buffer;
  /** f1*: resynchronisation authentication code MAC-S, 64 bits. */
  macS: Buffer;
  /** f5*: resynchronisation anonymity key AK*, 48 bits. */
  akStar: Buffer;
}

/** Subscriber key material: K with exactly one of OP and OPc. */
export interface SubscriberKeys {
  k: Uint8Array;
  op?: Uint8Array | undefined;
  opc?: Uint8Array | undefined;
}

// TS 35.206 §4.1: rotations r1..r5 (in octets: all are multiples of 8 bits) and the last
// octet of constants c1..c5 (the other 15 octets are zero).
const R1 = 8;
const R2 = 0;
const R3 = 4;
const R4 = 8;
const R5 = 12;
const C1 = 0x00;
const C2 = 0x01;
const C3 = 0x02;
const C4 = 0x04;
const C5 = 0x08;

function aes128(k: Uint8Array): Cipher {
  requireLength('K', k, 16);
  // ECB with no padding: each update() of one 16-octet block is one application of E_K.
  const cipher = createCipheriv('aes-128-ecb', k, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/** TS 35.206 §4.1: OPc = OP ⊕ E[OP]K. */
export function deriveOpc(k: Uint8Array, op: Uint8Array): Buffer {
  requireLength('OP', op, 16);
  return xor(aes128(k).update(op), op);
}

/**
 * The MILENAGE algorithm set (TS 35.206) for one subscriber: K and OPc, with the kernel
 * E_K = AES-128 from node:crypto. One instance per subscriber; it is cheap to create.
 */
export class Milenage {
  /** The operator variant configuration field, as used by the functions. */
  readonly opc: Buffer;
  readonly #cipher: Cipher;

  constructor(k: Uint8Array, opc: Uint8Array) {
    requireLength('OPc', opc, 16);
    this.#cipher = aes128(k);
    this.opc = Buffer.from(opc);
  }

  /** From K and OP: OPc is derived (TS 35.206 §4.1). */
  static fromOp(k: Uint8Array, op: Uint8Array): Milenage {
    return new Milenage(k, deriveOpc(k, op));
  }

  /** From K and exactly one of OP or OPc, as provisioned for a subscriber. */
  static fromKeys(keys: SubscriberKeys): Milenage {
    if ((keys.op === undefined) === (keys.opc === undefined)) {
      throw new AkaError('BAD_INPUT', 'exactly one of OP and OPc is required');
    }
    return keys.op ? Milenage.fromOp(keys.k, keys.op) : new Milenage(keys.k, keys.opc as Uint8Array);
  }

  /** f1: MAC-A = OUT1[0..63]. */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
    return this.#out1(this.#temp(rand), sqn, amf).subarray(0, 8);
  }

  /** f1*: MAC-S = OUT1[64..127]. */
  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
    return this.#out1(this.#temp(rand), sqn, amf).subarray(8, 16);
  }

  /** f2, f3, f4, f5 of one RAND. */
  f2345(rand: Uint8Array): MilenageKeys {
    return this.#f2345(this.#temp(rand));
  }

  /** f5*: AK* = OUT5[0..47]. */
  f5star(rand: Uint8Array): Buffer {
    return this.#out(this.#temp(rand), R5, C5).subarray(0, 6);
  }

  /** All seven functions at once, computing TEMP once. */
  compute(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): MilenageOutputs {
    const temp = this.#temp(rand);
    const out1 = this.#out1(temp, sqn, amf);
    return {
      macA: out1.subarray(0, 8),
      macS: out1.subarray(8, 16),
      ...this.#f2345(temp),
      akStar: this.#out(temp, R5, C5).subarray(0, 6),
    };
  }

  /** TEMP = E[RAND ⊕ OPc]K. */
  #temp(rand: Uint8Array): Buffer {
    requireLength('RAND', rand, 16);
    return this.#cipher.update(xor(rand, this.opc));
  }

  #f2345(temp: Buffer): MilenageKeys {
    const out2 = this.#out(temp, R2, C2);
    return {
      res: out2.subarray(8, 16),
      ak: out2.subarray(0, 6),
      ck: this.#out(temp, R3, C3),
      ik: this.#out(temp, R4, C4),
    };
  }

  /** OUT1 = E[TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1]K ⊕ OPc, IN1 = SQN ‖ AMF ‖ SQN ‖ AMF. */
  #out1(temp: Buffer, sqn: Uint8Array, amf: Uint8Array): Buffer {
    requireLength('SQN', sqn, 6);
    requireLength('AMF', amf, 2);
    const in1 = Buffer.allocUnsafe(16);
    in1.set(sqn, 0);
    in1.set(amf, 6);
    in1.set(sqn, 8);
    in1.set(amf, 14);
    const block = rotate(xor(in1, this.opc), R1);
    for (let i = 0; i < 16; i++) block[i] = (block[i] ?? 0) ^ (temp[i] ?? 0);
    block[15] = (block[15] ?? 0) ^ C1;
    return xor(this.#cipher.update(block), this.opc);
  }

  /** OUTn = E[rot(TEMP ⊕ OPc, rn) ⊕ cn]K ⊕ OPc, for n = 2..5. */
  #out(temp: Buffer, r: number, c: number): Buffer {
    const block = rotate(xor(temp, this.opc), r);
    block[15] = (block[15] ?? 0) ^ c;
    return xor(this.#cipher.update(block), this.opc);
  }
}

/** rot(x, r): x cyclically rotated towards the most significant end by `octets` octets. */
function rotate(x: Buffer, octets: number): Buffer {
  if (octets === 0) return x;
  const out = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) out[i] = x[(i + octets) % 16] ?? 0;
  return out;
}
