/**
 * One SIPp exchange through a proxy: the callee(s) started and listening first, then the
 * caller; the result of each, read from their stat files once they have exited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SippGroup, SippOptions, SippResult } from './sipp.ts';

/** A SIPp side: what SippOptions needs beyond the name and folder. */
export type SippSide = Omit<SippOptions, 'name' | 'dir'>;

export interface ExchangeOptions {
  /** Prefix of the stat files. */
  name: string;
  dir: string;
  /** The callee(s): UAS scenarios, one per port. */
  uas: SippSide[];
  /** The caller, sending to the proxy (`remote`). */
  uac: SippSide;
  /** How long a callee may take to finish after the caller has (its closing pauses). */
  uasGraceMs?: number;
}

export interface ExchangeResult {
  uac: SippResult;
  uas: SippResult[];
}

/** Runs the callees and the caller (bounded); stops a callee still running after the grace time. */
export async function runExchange(group: SippGroup, o: ExchangeOptions): Promise<ExchangeResult> {
  const callees = o.uas.map((side, i) => group.start({ ...side, name: `${o.name}-uas${i + 1}`, dir: o.dir }));
  try {
    await Promise.all(callees.map((c) => c.ready()));
  } catch (err) {
    await Promise.all(callees.map((c) => c.stop()));
    throw err;
  }
  const caller = group.start({ ...o.uac, name: `${o.name}-uac`, dir: o.dir });
  const uac = await caller.result;
  const grace = sleep(o.uasGraceMs ?? 10_000, undefined, { ref: false });
  const uas = await Promise.all(
    callees.map(async (c) => {
      const finished = await Promise.race([c.result.then(() => true), grace.then(() => false)]);
      if (!finished) await c.stop();
      return c.result;
    }),
  );
  return { uac, uas };
}
