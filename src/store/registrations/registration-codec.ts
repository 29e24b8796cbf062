/**
 * The stored form of a {@link Registration}: one JSON text, `revision` first (the Redis write
 * script reads it with a pattern instead of decoding the record). Both backends keep records
 * in this form: the memory store holds the text (one flat string per record is far smaller
 * than the object graph, and every reader gets its own copy, as with Redis), the snapshot file
 * is these texts one per line, Redis stores them as string values.
 */
import { StoreError } from '../store-error.ts';
import type { Binding, Registration } from './types.ts';

/** The JSON text of `reg`; `revision` first, optional fields left out when absent. */
export function encodeRegistration(reg: Registration): string {
  const out: Record<string, unknown> = {
    revision: reg.revision,
    impus: reg.impus,
    barred: reg.barred,
    impi: reg.impi,
    state: reg.state,
    userData: reg.userData,
  };
  if (reg.charging !== undefined) out.charging = reg.charging;
  out.bindings = reg.bindings;
  return JSON.stringify(out);
}

/** Parses a stored record; throws an Error saying what is wrong (the caller adds where). */
export function decodeRegistration(text: string): Registration {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  return checkRegistration(value);
}

/** The earliest binding expiry of `reg`, or undefined without bindings. */
export function earliestExpiry(reg: Registration): number | undefined {
  let min: number | undefined;
  for (const b of reg.bindings) if (min === undefined || b.expiresAt < min) min = b.expiresAt;
  return min;
}

/**
 * Checks what an `update` callback returned before it is stored: at least one IMPU, no IMPU
 * twice, finite binding expiries. Throws StoreError INVALID.
 */
export function checkUpdate(impu: string, reg: Registration): void {
  const fail = (message: string): never => {
    throw new StoreError('INVALID', `registration update of ${impu}: ${message}`, { field: 'impus' });
  };
  if (!Array.isArray(reg.impus) || reg.impus.length === 0) fail('the record has no public identity');
  if (new Set(reg.impus).size !== reg.impus.length) fail('a public identity is listed twice');
  for (const i of reg.impus) if (typeof i !== 'string' || i === '') fail('an IMPU is not a non-empty string');
  if (reg.state !== 'registered' && reg.state !== 'unregistered') fail(`unknown state ${String(reg.state)}`);
  if (!Array.isArray(reg.bindings)) fail('bindings is not an array');
  for (const b of reg.bindings)
    if (!Number.isFinite(b.expiresAt)) fail(`binding ${b.contact} has no finite expiresAt`);
}

type Checked = Record<string, unknown>;

function isObject(v: unknown): v is Checked {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw new Error(`${what} is not a string array`);
  return v as string[];
}

function string(o: Checked, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${what}.${key} is not a string`);
  return v;
}

function optionalString(o: Checked, key: string, what: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string') throw new Error(`${what}.${key} is not a string`);
}

function number(o: Checked, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}.${key} is not a number`);
  return v;
}

function checkBinding(v: unknown, what: string): Binding {
  if (!isObject(v)) throw new Error(`${what} is not an object`);
  string(v, 'contact', what);
  string(v, 'params', what);
  number(v, 'expiresAt', what);
  stringArray(v.path, `${what}.path`);
  optionalString(v, 'instanceId', what);
  if (v.regId !== undefined) number(v, 'regId', what);
  string(v, 'callId', what);
  number(v, 'cseq', what);
  for (const k of ['chargingVector', 'chargingFunctionAddresses', 'pcscf', 'accessNetworkInfo'])
    optionalString(v, k, what);
  string(v, 'id', what);
  number(v, 'registeredAt', what);
  return v as unknown as Binding;
}

function checkRegistration(v: unknown): Registration {
  if (!isObject(v)) throw new Error('the record is not an object');
  const what = 'record';
  number(v, 'revision', what);
  const impus = stringArray(v.impus, 'impus');
  if (impus.length === 0) throw new Error('impus is empty');
  stringArray(v.barred, 'barred');
  string(v, 'impi', what);
  if (v.state !== 'registered' && v.state !== 'unregistered')
    throw new Error(`unknown state ${String(v.state)}`);
  string(v, 'userData', what);
  if (v.charging !== undefined) {
    if (!isObject(v.charging)) throw new Error('charging is not an object');
    if (v.charging.ccf !== undefined) stringArray(v.charging.ccf, 'charging.ccf');
    if (v.charging.ecf !== undefined) stringArray(v.charging.ecf, 'charging.ecf');
  }
  if (!Array.isArray(v.bindings)) throw new Error('bindings is not an array');
  v.bindings.forEach((b, i) => {
    checkBinding(b, `bindings[${i}]`);
  });
  return v as unknown as Registration;
}

/**
 * `reg` without the IMPUs of `impus` (they moved to another implicit registration set: a
 * public identity belongs to one set at a time), or null when nothing is left of the set.
 */
export function withoutImpu(reg: Registration, impus: ReadonlySet<string>): Registration | null {
  const left = reg.impus.filter((i) => !impus.has(i));
  if (left.length === 0) return null;
  return {
    ...reg,
    impus: left,
    barred: reg.barred.filter((i) => !impus.has(i)),
    revision: reg.revision + 1,
  };
}
