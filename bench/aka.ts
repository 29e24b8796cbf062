/**
 * AKA and Digest micro-benchmark, one core: what a registration costs the HSS (one vector,
 * MILENAGE instance included), the S-CSCF (challenge + verify) and a test client (USIM +
 * response). The budget to compare with: Kamailio's ~12,000 digest REGISTER/s on 2 cores.
 * Run: node --import tsx bench/aka.ts
 */
import { Milenage } from '../src/aka/milenage.ts';
import { SqnScheme } from '../src/aka/sqn.ts';
import { Usim } from '../src/aka/usim.ts';
import { generateAuthenticationVector } from '../src/aka/vectors.ts';
import { answerAkaChallenge, answerDigestChallenge } from '../src/sip/auth/digest-client.ts';
import { computeHa1 } from '../src/sip/auth/digest-hash.ts';
import { DigestServer } from '../src/sip/auth/digest-server.ts';

const k = Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex');
const op = Buffer.from('cdc202d5123e20f62b6d676ac72cb318', 'hex');
const opc = Milenage.fromOp(k, op).opc;
const amf = Buffer.from('8000', 'hex');
const username = 'alice@ims.test';
const register = { method: 'REGISTER', uri: 'sip:ims.test' };

function rate(fn: () => void, ms = 1000): number {
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let n = 0;
  for (;;) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    if (process.hrtime.bigint() - start >= budget) break;
  }
  return (n * 1e9) / Number(process.hrtime.bigint() - start);
}

const scheme = new SqnScheme();
let sqn = 0;
const server = new DigestServer({ realm: 'ims.test', maxNonces: 10_000 });
const ha1 = computeHa1('MD5', username, 'ims.test', 'secret');
let sink = 0;

const cases: [string, () => void][] = [
  [
    'HSS: vector (new Milenage per subscriber)',
    () => {
      sqn = scheme.next(sqn % 2 ** 40);
      sink += generateAuthenticationVector(new Milenage(k, opc), { sqn, amf }).xres[0] ?? 0;
    },
  ],
  [
    'S-CSCF + UE: AKAv1 challenge, USIM, response, verify',
    () => {
      sqn = scheme.next(sqn % 2 ** 40);
      const vector = generateAuthenticationVector(new Milenage(k, opc), { sqn, amf });
      const challenge = server.challengeAka({ username, vector });
      const usim = new Usim({ k, opc });
      const { credentials } = answerAkaChallenge(challenge, username, usim, register);
      if (server.verify(credentials, register).outcome !== 'authenticated') throw new Error('AKA failed');
    },
  ],
  [
    'S-CSCF + UE: MD5 Digest challenge, response, verify',
    () => {
      const challenge = server.challengeDigest({ username, ha1 });
      const credentials = answerDigestChallenge(challenge, username, { ha1 }, register);
      if (server.verify(credentials, register).outcome !== 'authenticated') throw new Error('Digest failed');
    },
  ],
];

for (const [name, fn] of cases) {
  rate(fn, 300); // warm-up
  console.log(`${name.padEnd(56)} ${Math.round(rate(fn)).toLocaleString('en')}/s`);
}
if (sink < 0) console.log(sink);
