/**
 * `node --cpu-prof` is not allowed in NODE_OPTIONS on Node 20, so the benchmark profiles the
 * processes of `ims up` with this module instead: NODE_OPTIONS="--import <this file>" and
 * BENCH_CPU_PROF_DIR=<dir>. Every Node process started with it (ims up and each function it
 * spawns) samples its CPU through the inspector and writes <dir>/prof-<pid>.cpuprofile (the
 * same format as --cpu-prof) when it exits normally. SIGUSR2 restarts the profile, dropping
 * what was sampled so far (the start-up), so the profile covers the load step only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
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
        writeFileSync(`${dir}/prof-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
    });
  });
}
