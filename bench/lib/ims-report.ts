/**
 * The IMS chain benchmark's report: a markdown file with the tables of every step, the highest
 * clean rates and the ratios ours/Kamailio, the IO floor of the message pattern and ours/floor,
 * memory per registered user, the hottest functions, and a PNG chart (achieved vs offered rate per series), plus the short summary for stdout.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProfileSummary } from './cpu-profile.ts';
import type { IoFloorSeries } from './io-floor.ts';
import { floorSection, floorSummaryLine } from './io-floor-report.ts';
import { type ChartSeries, lineChartPng } from './png-chart.ts';
import type { StepResult } from './sipp-load.ts';

export type LoadKind = 'digest' | 'aka' | 'calls';

export const LOAD_TITLES: Record<LoadKind, string> = {
  digest: 'registrations, digest (REGISTER/401/REGISTER/200)',
  aka: 'registrations, IMS AKA (REGISTER/401/REGISTER/200)',
  calls: 'calls (INVITE/100/180/200/ACK/BYE/200)',
};

const TARGETS: Record<LoadKind, number | undefined> = { digest: 1000, aka: undefined, calls: 500 };

export interface Series {
  system: 'ours' | 'kamailio';
  load: LoadKind;
  steps: StepResult[];
  /** Highest offered rate with no failure (0: none). */
  best: number;
  /** True when a step failed (the limit was found, not just the end of the rate list). */
  limitFound: boolean;
  /** Why the series was not measured or stopped early. */
  note?: string;
}

export interface MemoryResult {
  system: 'ours' | 'kamailio';
  users: number;
  registered: number;
  rate: number;
  /** KiB per process (ours: live JS heap after a full GC; Kamailio: Pss of all its processes). */
  before: Record<string, number>;
  after: Record<string, number>;
  note?: string;
}

export interface ProfileResult {
  process: string;
  file: string;
  load: string;
  summary: ProfileSummary;
  /** Busy ms per process profile, to show how the load spread. */
  busyByProcess: Record<string, number>;
}

export interface ImsChainReport {
  date: string;
  machine: { cpu: string; cores: number; node: string; kernel: string };
  versions: Record<string, string>;
  secondsPerStep: number;
  domain: string;
  series: Series[];
  /** The IO floor of the digest registration message pattern (bench/lib/io-floor.ts). */
  floor?: IoFloorSeries;
  memory: MemoryResult[];
  profile?: ProfileResult;
  /** Problems seen (error responses, failures, missing functions): for the functions' owners. */
  problems: string[];
  notes: string[];
}

const fmtCpu = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ');

function bestCell(s: Series | undefined): string {
  if (!s) return 'not measured';
  if (s.steps.length === 0) return `not measured${s.note ? ` (${s.note})` : ''}`;
  return s.limitFound ? `${s.best}/s` : `≥ ${s.best}/s`;
}

function ratioCell(ours: Series | undefined, ref: Series | undefined): string {
  if (!ours || !ref || ours.steps.length === 0 || ref.steps.length === 0 || ref.best === 0) return '–';
  const r = (ours.best / ref.best).toFixed(2);
  if (!ref.limitFound && ours.limitFound) return `≤ ${r}`;
  if (ref.limitFound && !ours.limitFound) return `≥ ${r}`;
  if (!ref.limitFound && !ours.limitFound) return `${r} (neither limit reached)`;
  return r;
}

/** The ratio ours/Kamailio of a load (AKA against Kamailio's digest: a plain registrar has no AKA). */
function reference(report: ImsChainReport, load: LoadKind): Series | undefined {
  const find = (l: LoadKind) => report.series.find((s) => s.system === 'kamailio' && s.load === l);
  return find(load) ?? (load === 'aka' ? find('digest') : undefined);
}

function stepTable(s: Series): string[] {
  const lines = [`### ${s.system === 'ours' ? 'Ours (ims up)' : 'Kamailio'}: ${LOAD_TITLES[s.load]}`, ''];
  if (s.note) lines.push(s.note, '');
  if (s.steps.length === 0) return lines;
  lines.push(
    '| offered/s | planned | successful | failed | retrans. | achieved/s | mean resp. ms | CPU % of one core | SIPp CPU % | UDP rcv errors | clean |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|',
  );
  for (const t of s.steps) {
    lines.push(
      `| ${t.rate} | ${t.planned} | ${t.successful} | ${t.failed} | ${t.retransmissions} | ${t.achieved} | ` +
        `${t.responseMs.toFixed(1)} | ${fmtCpu(t.cpu)} | ${t.sippCpu} | ${t.udpDrops} | ${t.clean ? 'yes' : '**no**'} |`,
    );
  }
  const failing = s.steps.filter((t) => t.errors.length > 0);
  for (const t of failing) {
    lines.push('', `Errors at ${t.rate}/s:`, '', ...t.errors.map((e) => `- \`${e.replaceAll('`', "'")}\``));
  }
  lines.push('');
  return lines;
}

function memoryTable(memory: MemoryResult[]): string[] {
  if (memory.length === 0) return [];
  const lines = ['## Memory per registered user', ''];
  for (const m of memory) {
    lines.push(
      `${m.system === 'ours' ? 'Ours' : 'Kamailio'}: ${m.registered.toLocaleString('en')} of ${m.users.toLocaleString('en')} users registered at ${m.rate}/s` +
        `${m.system === 'kamailio' ? ' (Pss of the main process and its workers: the shared location table counted once)' : ' (live JS heap of each process after a full garbage collection, measured 35 s after the last registration so that completed transactions (Timer J) are gone)'}.`,
      '',
    );
    if (m.note) lines.push(m.note, '');
    lines.push(
      '| process | before MiB | after MiB | delta MiB | bytes per registered user |',
      '|---|---:|---:|---:|---:|',
    );
    let before = 0;
    let after = 0;
    for (const name of Object.keys(m.after)) {
      const b = m.before[name] ?? 0;
      const a = m.after[name] ?? 0;
      before += b;
      after += a;
      lines.push(
        `| ${name} | ${(b / 1024).toFixed(1)} | ${(a / 1024).toFixed(1)} | ${((a - b) / 1024).toFixed(1)} | ${perUser(a - b, m.registered)} |`,
      );
    }
    lines.push(
      `| **total** | ${(before / 1024).toFixed(1)} | ${(after / 1024).toFixed(1)} | ${((after - before) / 1024).toFixed(1)} | ${perUser(after - before, m.registered)} |`,
      '',
    );
  }
  return lines;
}

const perUser = (deltaKb: number, users: number) =>
  users > 0 ? String(Math.round((deltaKb * 1024) / users)) : '–';

function profileSection(p: ProfileResult | undefined): string[] {
  if (!p) return [];
  const lines = [
    '## Where the time goes (CPU profile)',
    '',
    `A V8 CPU profile (1 ms sampling, bench/lib/cpu-prof-preload.mjs) of every process of \`ims up\` during ${p.load}. Busy (non-idle) ms sampled per process: ` +
      `${Object.entries(p.busyByProcess)
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(', ')}.`,
    '',
    `Busiest: **${p.process}** (${basename(p.file)}): busy ${Math.round(p.summary.busyMs)} ms of ${Math.round(p.summary.totalMs)} ms sampled, ` +
      `garbage collector ${Math.round(p.summary.gcMs)} ms. Top functions by self time:`,
    '',
    '| self ms | % of busy | function | where |',
    '|---:|---:|---|---|',
  ];
  for (const f of p.summary.top) {
    lines.push(
      `| ${f.selfMs.toFixed(0)} | ${f.percent.toFixed(1)} | \`${f.name}\` | ${f.location || '(native)'} |`,
    );
  }
  lines.push('');
  return lines;
}

const digestOf = (report: ImsChainReport, system: Series['system']) =>
  report.series.find((s) => s.system === system && s.load === 'digest');

/** The summary lines (stdout and the top of the report). */
export function summaryLines(report: ImsChainReport): string[] {
  const lines: string[] = [];
  for (const load of ['digest', 'aka', 'calls'] as LoadKind[]) {
    const ours = report.series.find((s) => s.system === 'ours' && s.load === load);
    const ref = reference(report, load);
    const oursBest = ours?.steps.find((t) => t.rate === ours.best);
    const target = TARGETS[load];
    lines.push(
      `${LOAD_TITLES[load]}: ours ${bestCell(ours)}` +
        `${oursBest ? ` (CPU ${fmtCpu(oursBest.cpu)})` : ''}` +
        `${target && ours && ours.steps.length > 0 ? `, target ${target}/s ${ours.best >= target ? 'met' : 'NOT met'}` : ''}` +
        `; Kamailio ${bestCell(ref)}${load === 'aka' ? ' (digest: no AKA in a plain registrar)' : ''}; ratio ours/Kamailio ${ratioCell(ours, ref)}`,
    );
  }
  if (report.floor) lines.push(floorSummaryLine(report.floor, digestOf(report, 'ours')));
  for (const m of report.memory) {
    const total = Object.keys(m.after).reduce((sum, k) => sum + (m.after[k] ?? 0) - (m.before[k] ?? 0), 0);
    lines.push(
      `memory per registered user (${m.system}, ${m.registered} users): ${perUser(total, m.registered)} bytes in total`,
    );
  }
  if (report.profile) {
    // The hottest of our code (or a library's), not V8's own entries (GC, native calls).
    const hot = report.profile.summary.top.find((f) => f.location && !f.location.startsWith('node:'));
    lines.push(
      `hottest: ${report.profile.process}${hot ? `, ${hot.name} (${hot.location}) ${hot.percent.toFixed(1)}% of its busy time` : ''}` +
        `, garbage collector ${((100 * report.profile.summary.gcMs) / Math.max(1, report.profile.summary.busyMs)).toFixed(1)}%`,
    );
  }
  return lines;
}

/**
 * Writes `<dir>/<date>-ims-chain.md` and `.png` (`<date>b-`, `<date>c-` … when a report of that
 * day is there already: a later run never replaces an earlier one); returns their paths.
 */
export function writeReport(dir: string, report: ImsChainReport): { markdown: string; png: string } {
  const base = freeBase(dir, report.date);
  const colors: Record<string, [number, number, number]> = {
    'ours digest': [200, 30, 30],
    'ours aka': [230, 120, 0],
    'ours calls': [120, 0, 160],
    'kamailio digest': [30, 90, 200],
    'kamailio calls': [0, 150, 120],
  };
  const floor = report.floor?.steps ?? [];
  // Kamailio's steps beyond our highest offered rate (or the IO floor's, drawn whole: how far
  // ours is below it is the point) would squash our lines: the chart shows the common range.
  const oursMax = Math.max(
    0,
    ...report.series.filter((s) => s.system === 'ours').flatMap((s) => s.steps.map((t) => t.rate)),
    ...floor.map((t) => t.rate),
  );
  const xMax = oursMax > 0 ? oursMax : Number.POSITIVE_INFINITY;
  const series: ChartSeries[] = report.series
    .filter((s) => s.steps.length > 0)
    .map((s) => ({
      name: `${s.system} ${s.load}`,
      color: colors[`${s.system} ${s.load}`] ?? [0, 0, 0],
      points: s.steps.filter((t) => t.rate <= xMax).map((t) => ({ x: t.rate, y: t.achieved })),
    }));
  if (floor.length > 0)
    series.push({
      name: 'io floor',
      color: [120, 120, 120],
      points: floor.map((t) => ({ x: t.rate, y: t.achieved })),
    });
  const png = lineChartPng(series, {
    title: 'IMS chain: achieved vs offered (per s)',
    xLabel: 'offered per s',
    yLabel: 'achieved per s',
  });
  writeFileSync(`${base}.png`, png);

  const m = report.machine;
  const lines = [
    `# IMS chain load benchmark, ${report.date}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.kernel}; ${Object.entries(report.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}. UDP on 127.0.0.1, SIPp on the same cores as the servers, ${report.secondsPerStep} s per step, ` +
      `home domain ${report.domain}. Each series rises until the first step that is not clean; "clean" = every planned exchange completed, none failed, and the achieved rate (completed / wall time of the step) at least 85% of the offered one.`,
    '',
    '## Summary',
    '',
    ...summaryLines(report).map((l) => `- ${l}`),
    '',
    `![achieved vs offered](${basename(base)}.png)`,
    '',
    '| load | ours: highest clean rate | Kamailio: highest clean rate | ours/Kamailio | target |',
    '|---|---:|---:|---:|---:|',
    ...(['digest', 'aka', 'calls'] as LoadKind[]).map((load) => {
      const ours = report.series.find((s) => s.system === 'ours' && s.load === load);
      const ref = reference(report, load);
      return `| ${LOAD_TITLES[load]} | ${bestCell(ours)} | ${bestCell(ref)}${load === 'aka' && ref ? ' (digest)' : ''} | ${ratioCell(ours, ref)} | ${TARGETS[load] ? `${TARGETS[load]}/s` : '–'} |`;
    }),
    '',
    ...(report.floor
      ? floorSection(report.floor, digestOf(report, 'ours'), digestOf(report, 'kamailio'))
      : []),
    '## Steps',
    '',
    ...report.series.flatMap(stepTable),
    ...memoryTable(report.memory),
    ...profileSection(report.profile),
  ];
  if (report.problems.length > 0)
    lines.push('## Problems seen', '', ...report.problems.map((p) => `- ${p}`), '');
  if (report.notes.length > 0) lines.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
  return { markdown: `${base}.md`, png: `${base}.png` };
}

/** `<dir>/<date>-ims-chain`, or with the first letter from b on that no report of that day has. */
function freeBase(dir: string, date: string): string {
  for (const suffix of ['', ...'bcdefghijklmnopqrstuvwxyz']) {
    const base = `${dir}/${date}${suffix}-ims-chain`;
    if (!existsSync(`${base}.md`) && !existsSync(`${base}.png`)) return base;
  }
  throw new Error(`${dir}: no free report name left for ${date}`);
}
