/**
 * `npm run bench`: runs every benchmark script of this folder in its own process, one after
 * the other (so they do not share a heap or a JIT), and prints what each reports.
 * `npm run bench -- sip` runs only the scripts whose name contains "sip".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';

const dir = new URL('.', import.meta.url).pathname;
const filters = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

console.log(
  `ims-core benchmarks: Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}`,
);
let failed = 0;
for (const script of scripts) {
  console.log(`\n== ${script}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${script}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`!! ${script} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
