/** Runs sqn-writer.ts children and kills them with SIGKILL once they have printed enough. */
import { spawn } from 'node:child_process';
import type { SubscriberStoreConfig } from '../../../src/store/open-subscriber-store.ts';

const WRITER = new URL('./sqn-writer.ts', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;

/** Starts a writer; resolves with every SQN it printed once it has printed `count` and was SIGKILLed. */
export function runWriterUntilKilled(
  config: SubscriberStoreConfig,
  impi: string,
  count: number,
  step = 32,
): Promise<{ printed: number[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WRITER, JSON.stringify(config), impi, String(step)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const printed: number[] = [];
    let buffer = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer printed ${printed.length}/${count} SQNs in time; stderr: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (/^\d+$/.test(line)) printed.push(Number(line));
      if (!killed && printed.length >= count) {
        killed = true;
        // Mid-loop: the child is between two updateAuthState calls or inside one.
        child.kill('SIGKILL');
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!killed) reject(new Error(`writer exited by itself (${code ?? signal}); stderr: ${stderr}`));
      else resolve({ printed, signal });
    });
  });
}
