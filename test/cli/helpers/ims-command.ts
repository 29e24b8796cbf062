/** `ims ...` as an operator runs it, in a child process that does not block this one. */
import { spawn } from 'node:child_process';

const bin = new URL('../../../bin/ims.js', import.meta.url).pathname;

export interface ImsRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ims <args>` to its end; this process keeps serving meanwhile (e.g. the API it talks to). */
export function runImsCommand(...args: string[]): Promise<ImsRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
