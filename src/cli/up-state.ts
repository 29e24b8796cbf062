import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `DATA/ims-up.json`: what `ims up` runs, for `ims status`. Removed when `ims up` stops. */
export interface UpState {
  /** The `ims up` process. */
  pid: number;
  startedAt: string;
  domain: string;
  dataDir: string;
  functions: { name: string; pid: number; http: string | undefined }[];
}

export const upStateFile = (dataDir: string) => join(dataDir, 'ims-up.json');

export function writeUpState(state: UpState): void {
  writeFileSync(upStateFile(state.dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

export function readUpState(dataDir: string): UpState | undefined {
  try {
    return JSON.parse(readFileSync(upStateFile(dataDir), 'utf8')) as UpState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function removeUpState(dataDir: string): void {
  rmSync(upStateFile(dataDir), { force: true });
}

/** Whether process `pid` exists (signal 0 checks without sending). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
