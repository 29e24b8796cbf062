/**
 * WAV tones for the real-media tests: write a sine (or silence) as 16-bit PCM WAV, read a WAV
 * back, and find the frequency and level of what a phone recorded, in pure TypeScript (Goertzel
 * over candidate frequencies, refined around the best one), window by window so a tone that
 * only fills part of a recording is still found. `soxStat` asks sox for a second opinion.
 *
 * Learned here: baresip's aufile source wants the WAV at the call's sample rate and channels
 * (8 kHz mono for PCMU/PCMA, "must have sample-rate 8000 Hz" otherwise); its sndfile recording
 * of the received audio is 8 kHz mono 16-bit too. G.711 keeps a 1 kHz tone at about the same
 * level (μ-law: ~38 dB SNR), so a received tone's RMS is close to what was sent.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

export interface ToneOptions {
  /** Hz; 0 writes silence. */
  frequency: number;
  seconds: number;
  /** Default 8000. */
  sampleRate?: number;
  /** Peak amplitude as a fraction of full scale, default 0.5 (-6 dBFS). */
  amplitude?: number;
}

export interface Pcm {
  sampleRate: number;
  channels: number;
  /** The first channel, as numbers in [-1, 1). */
  samples: Float64Array;
}

/** Encodes 16-bit PCM mono samples ([-1, 1)) as a WAV file. */
export function encodeWav(samples: Float64Array, sampleRate: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i] ?? 0));
    data.writeInt16LE(Math.round(v * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** The samples of a sine tone (or silence for frequency 0). */
export function toneSamples(o: ToneOptions): Float64Array {
  const rate = o.sampleRate ?? 8000;
  const amplitude = o.amplitude ?? 0.5;
  const samples = new Float64Array(Math.round(o.seconds * rate));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = o.frequency === 0 ? 0 : amplitude * Math.sin((2 * Math.PI * o.frequency * i) / rate);
  }
  return samples;
}

/** Writes a mono 16-bit WAV with a sine tone (or silence); returns the path. */
export async function writeToneWav(path: string, o: ToneOptions): Promise<string> {
  await writeFile(path, encodeWav(toneSamples(o), o.sampleRate ?? 8000));
  return path;
}

/** Decodes a 16-bit PCM WAV (any chunk layout; first channel kept). */
export function decodeWav(buffer: Buffer): Pcm {
  if (buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let format: { channels: number; sampleRate: number; bits: number; code: number } | undefined;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    let size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        code: buffer.readUInt16LE(body),
        channels: buffer.readUInt16LE(body + 2),
        sampleRate: buffer.readUInt32LE(body + 4),
        bits: buffer.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its fmt chunk');
      // 0xFFFE is WAVE_FORMAT_EXTENSIBLE (what libsndfile may write); the sub-format is PCM here.
      if ((format.code !== 1 && format.code !== 0xfffe) || format.bits !== 16) {
        throw new Error(`WAV format ${format.code} with ${format.bits} bits: only 16-bit PCM is read`);
      }
      // A recorder killed before closing leaves the size at 0 or too large: read what is there.
      if (size === 0 || body + size > buffer.length) size = buffer.length - body;
      const frames = Math.floor(size / (2 * format.channels));
      const samples = new Float64Array(frames);
      for (let i = 0; i < frames; i++)
        samples[i] = buffer.readInt16LE(body + i * 2 * format.channels) / 32768;
      return { sampleRate: format.sampleRate, channels: format.channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}

export async function readWav(path: string): Promise<Pcm> {
  return decodeWav(await readFile(path));
}

/** Power of `frequency` in `samples[start, start + length)` (Goertzel), normalised to amplitude². */
export function goertzelPower(
  samples: Float64Array,
  sampleRate: number,
  frequency: number,
  start = 0,
  length = samples.length - start,
): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + length; i++) {
    const s0 = (samples[i] ?? 0) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  // A full-scale sine of amplitude A gives (A·N/2)²: return A² / 2, i.e. the tone's mean square.
  return (2 * power) / (length * length);
}

export interface ToneAnalysis {
  /** The dominant frequency, Hz (0 when the signal is silent). */
  frequency: number;
  /** RMS of the loudest window, as a fraction of full scale. */
  rms: number;
  /** The same in dBFS. */
  rmsDb: number;
  /** Share of that window's energy at the dominant frequency (1 = a pure tone). */
  purity: number;
  /** Seconds of audio in the file. */
  seconds: number;
  /** Seconds of windows whose RMS is above -40 dBFS (how long something was heard). */
  audibleSeconds: number;
}

function rmsOf(samples: Float64Array, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / length);
}

/**
 * The dominant frequency and level of a recording: the loudest 0.25 s window is scanned from
 * 50 Hz to Nyquist in 10 Hz steps, then refined to 1 Hz around the best candidate.
 */
export function analyseTone(pcm: Pcm): ToneAnalysis {
  const { samples, sampleRate } = pcm;
  const window = Math.min(samples.length, Math.round(sampleRate / 4));
  const seconds = samples.length / sampleRate;
  if (window === 0) return { frequency: 0, rms: 0, rmsDb: -Infinity, purity: 0, seconds, audibleSeconds: 0 };
  let best = { start: 0, rms: -1 };
  let audibleWindows = 0;
  for (let start = 0; start + window <= samples.length; start += window) {
    const rms = rmsOf(samples, start, window);
    if (rms > 0.01) audibleWindows++;
    if (rms > best.rms) best = { start, rms };
  }
  const rmsDb = best.rms > 0 ? 20 * Math.log10(best.rms) : -Infinity;
  const audibleSeconds = (audibleWindows * window) / sampleRate;
  if (best.rms < 1e-4) return { frequency: 0, rms: best.rms, rmsDb, purity: 0, seconds, audibleSeconds };
  const scan = (from: number, to: number, step: number) => {
    let top = { frequency: from, power: -1 };
    for (let f = from; f <= to; f += step) {
      const power = goertzelPower(samples, sampleRate, f, best.start, window);
      if (power > top.power) top = { frequency: f, power };
    }
    return top;
  };
  const coarse = scan(50, sampleRate / 2 - 10, 10);
  const fine = scan(Math.max(1, coarse.frequency - 10), coarse.frequency + 10, 1);
  return {
    frequency: fine.frequency,
    rms: best.rms,
    rmsDb,
    purity: Math.min(1, fine.power / (best.rms * best.rms)),
    seconds,
    audibleSeconds,
  };
}

export async function analyseToneFile(path: string): Promise<ToneAnalysis> {
  return analyseTone(await readWav(path));
}

/** `sox FILE -n stat` as numbers, keys with single spaces: "RMS amplitude", "Rough frequency"... */
export function soxStat(path: string): Record<string, number> {
  const r = spawnSync('sox', [path, '-n', 'stat'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) throw new Error(`sox stat ${path} failed: ${r.error?.message ?? r.stderr}`);
  const stats: Record<string, number> = {};
  for (const line of r.stderr.split('\n')) {
    const m = line.match(/^([^:]+):\s+(-?[\d.]+)\s*$/);
    if (m?.[1] && m[2]) stats[m[1].trim().replace(/\s+/g, ' ')] = Number(m[2]);
  }
  return stats;
}

/**
 * sox's own answer for the dominant frequency: `sox FILE -n stat -freq` prints the power
 * spectrum of each 4096-sample window (bins of sampleRate/4096 Hz, 1.95 Hz at 8 kHz); the
 * powers are summed per bin over the file and the strongest bin is returned.
 */
export function soxDominantFrequency(path: string): { frequency: number; binHz: number } {
  const r = spawnSync('sox', [path, '-n', 'stat', '-freq'], {
    encoding: 'utf8',
    timeout: 20_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0)
    throw new Error(`sox stat -freq ${path} failed: ${r.error?.message ?? r.stderr}`);
  const power = new Map<number, number>();
  for (const line of r.stderr.split('\n')) {
    const m = line.match(/^\s*(\d+\.\d+)\s+(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/);
    if (!m?.[1] || !m[2]) continue;
    const bin = Number(m[1]);
    power.set(bin, (power.get(bin) ?? 0) + Number(m[2]));
  }
  let best = { frequency: 0, power: -1 };
  for (const [frequency, p] of power) if (frequency > 0 && p > best.power) best = { frequency, power: p };
  const bins = [...power.keys()].sort((x, y) => x - y);
  const binHz = bins.length > 1 ? (bins[1] ?? 0) - (bins[0] ?? 0) : 0;
  if (best.power <= 0) throw new Error(`sox stat -freq ${path}: no spectrum (silent or empty file)`);
  return { frequency: best.frequency, binHz };
}
