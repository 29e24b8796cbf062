/**
 * Reads a V8 .cpuprofile (written by `node --cpu-prof`) and sums the self time of each function:
 * the time the sampled stack had that function on top, aggregated by name and location.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  /** file:line, relative to the repository when inside it. */
  location: string;
  selfMs: number;
  /** % of the busy time (everything but "(idle)"). */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time, ms. */
  totalMs: number;
  /** Sampled time not idle, ms. */
  busyMs: number;
  /** Time in the garbage collector, ms. */
  gcMs: number;
  top: HotFunction[];
  /** Self time per source file (native code and V8 internals as "(native)"), largest first. */
  byFile: { file: string; selfMs: number; percent: number }[];
}

const ROOT = new URL('../../', import.meta.url).href;

function location(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return '';
  const url = frame.url.startsWith(ROOT) ? frame.url.slice(ROOT.length) : frame.url.replace(/^file:\/\//, '');
  // Sources run through tsx come as one transformed line: the file alone says more than ":1".
  return frame.lineNumber > 0 ? `${url}:${frame.lineNumber + 1}` : url;
}

/** The `top` functions by self time of one profile file. */
export function summarizeCpuProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; location: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  let gcUs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time from the previous sample to this one: charged to this sample.
    const us = Math.max(0, profile.timeDeltas[i] ?? 0);
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    if (frame.functionName === '(garbage collector)') gcUs += us;
    const name = frame.functionName || '(anonymous)';
    const loc = location(frame);
    const key = `${name}@${loc}`;
    const entry = self.get(key) ?? { name, location: loc, us: 0 };
    entry.us += us;
    self.set(key, entry);
  });
  const busyUs = totalUs - idleUs;
  const files = new Map<string, number>();
  for (const e of self.values()) {
    const file = e.location.replace(/:\d+$/, '') || '(native)';
    files.set(file, (files.get(file) ?? 0) + e.us);
  }
  return {
    byFile: [...files]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([file, us]) => ({ file, selfMs: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : 0 })),
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    gcMs: gcUs / 1000,
    top: [...self.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({
        name: e.name,
        location: e.location,
        selfMs: e.us / 1000,
        percent: busyUs > 0 ? (100 * e.us) / busyUs : 0,
      })),
  };
}

/** The busy time (not idle) of a profile, ms: to pick the busiest process's profile. */
export function profileBusyMs(path: string): number {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let busy = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) busy += Math.max(0, profile.timeDeltas[i] ?? 0);
  });
  return busy / 1000;
}
