/**
 * Preloaded into every process of `ims up` by the benchmark (NODE_OPTIONS="--import <this
 * file>"; children inherit it), for what cannot be asked from outside:
 *
 * - BENCH_CPU_PROF_DIR=<dir>: `node --cpu-prof` is not allowed in NODE_OPTIONS on Node 20, so
 *   the CPU is sampled through the inspector and written as <dir>/prof-<pid>.cpuprofile (the
 *   same format as --cpu-prof) at a normal exit. SIGUSR2 restarts the profile, dropping what
 *   was sampled so far (the start-up), so the profile covers the load step only.
 * - BENCH_ALLOC_PROF_DIR=<dir>: the same for allocations (V8's sampling heap profiler, every
 *   allocation counted, also those already collected), written as <dir>/alloc-<pid>.heapprofile;
 *   SIGUSR2 restarts it too.
 * - BENCH_HEAP_DIR=<dir>: on SIGURG, a full garbage collection, then the live JS heap
 *   (process.memoryUsage().heapUsed, bytes) written to <dir>/heap-<pid>.json: what the
 *   process holds, without the garbage and free pages that VmRSS counts.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const profDir = process.env.BENCH_CPU_PROF_DIR;
const heapDir = process.env.BENCH_HEAP_DIR;
const allocDir = process.env.BENCH_ALLOC_PROF_DIR;
if (profDir || heapDir || allocDir) {
  const session = new Session();
  session.connect();
  if (profDir) {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 1000 });
    session.post('Profiler.start');
    process.on('SIGUSR2', () => {
      session.post('Profiler.stop');
      session.post('Profiler.start');
    });
    // A session on the same thread answers synchronously: the profile is written before exit.
    process.on('exit', () => {
      session.post('Profiler.stop', (err, result) => {
        if (!err && result)
          writeFileSync(`${profDir}/prof-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
      });
    });
  }
  if (allocDir) {
    const start = () =>
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    start();
    process.on('SIGUSR2', () => session.post('HeapProfiler.stopSampling', start));
    process.on('exit', () => {
      session.post('HeapProfiler.stopSampling', (err, result) => {
        if (!err && result)
          writeFileSync(`${allocDir}/alloc-${process.pid}.heapprofile`, JSON.stringify(result.profile));
      });
    });
  }
  if (heapDir) {
    process.on('SIGURG', () => {
      session.post('HeapProfiler.collectGarbage', () => {
        const { heapUsed } = process.memoryUsage();
        writeFileSync(`${heapDir}/heap-${process.pid}.json`, JSON.stringify({ heapUsed, at: Date.now() }));
      });
    });
  }
}
