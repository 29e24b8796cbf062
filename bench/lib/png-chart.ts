/**
 * A line chart as a PNG, with no dependency beyond node:zlib: for the benchmark reports under
 * bench/results/ (offered load on x, achieved rate on y, one line per system). Text is drawn
 * with a small 5x7 bitmap font (upper-case letters, digits, a few signs).
 */
import { deflateSync } from 'node:zlib';

export interface ChartSeries {
  name: string;
  /** RGB colour. */
  color: [number, number, number];
  points: { x: number; y: number }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

// 5x7 glyphs, one string of 7 rows of 5 bits ('#' set) per character.
const FONT: Record<string, string> = {
  '0': ' ### #   ##  ### # ###  ##   # ### ',
  '1': '  #   ##    #    #    #    #   ### ',
  '2': ' ### #   #    #   #   #   #   #####',
  '3': '#####   #   #     #     ##   # ### ',
  '4': '   #   ##  # # #  # #####   #    # ',
  '5': '######    ####     #    ##   # ### ',
  '6': '  ##  #   #    #### #   ##   # ### ',
  '7': '#####    #   #   #   #    #    #   ',
  '8': ' ### #   ##   # ### #   ##   # ### ',
  '9': ' ### #   ##   # ####    #   #  ##  ',
  A: ' ### #   ##   #######   ##   ##   #',
  B: '#### #   ##   ##### #   ##   ##### ',
  C: ' ### #   ##    #    #    #   # ### ',
  D: '#### #   ##   ##   ##   ##   ##### ',
  E: '######    #    #### #    #    #####',
  F: '######    #    #### #    #    #    ',
  G: ' ### #   ##    # ####   ##   # ####',
  H: '#   ##   ##   #######   ##   ##   #',
  I: ' ###   #    #    #    #    #   ### ',
  J: '  ###   #    #    #    # #  #  ##  ',
  K: '#   ##  # # #  ##   # #  #  # #   #',
  L: '#    #    #    #    #    #    #####',
  M: '#   ### ### # ## # ##   ##   ##   #',
  N: '#   ##   ###  ## # ##  ###   ##   #',
  O: ' ### #   ##   ##   ##   ##   # ### ',
  P: '#### #   ##   ##### #    #    #    ',
  Q: ' ### #   ##   ##   ## # ##  #  ## #',
  R: '#### #   ##   ##### # #  #  # #   #',
  S: ' #####    #     ###     #    ##### ',
  T: '#####  #    #    #    #    #    #  ',
  U: '#   ##   ##   ##   ##   ##   # ### ',
  V: '#   ##   ##   ##   ##   # # #   #  ',
  W: '#   ##   ##   ## # ## # ## # # # # ',
  X: '#   ##   # # #   #   # # #   ##   #',
  Y: '#   ##   # # #   #    #    #    #  ',
  Z: '#####    #   #   #   #   #    #####',
  ' ': '                                   ',
  '.': '                          ##   ##  ',
  ',': '                     ##    #   #   ',
  '/': '         #   #   #   #   #         ',
  '-': '               #####               ',
  '(': '   #   #   #    #    #     #     # ',
  ')': ' #     #     #    #    #   #   #   ',
  ':': '      ##   ##        ##   ##       ',
  '%': '##   ##  #   #   #   #   #  ##   ##',
  '=': '          #####     #####          ',
  '+': '       #    #  #####  #    #       ',
};

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, [r, g, b]: [number, number, number]): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 3;
    this.pixels[i] = r;
    this.pixels[i + 1] = g;
    this.pixels[i + 2] = b;
  }

  /** A line `thickness` pixels wide (DDA). */
  line(x0: number, y0: number, x1: number, y1: number, color: [number, number, number], thickness = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    const half = Math.floor(thickness / 2);
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dx = -half; dx <= half; dx++)
        for (let dy = -half; dy <= half; dy++) this.set(x + dx, y + dy, color);
    }
  }

  box(x: number, y: number, w: number, h: number, color: [number, number, number]): void {
    for (let i = 0; i < w; i++) for (let j = 0; j < h; j++) this.set(x + i, y + j, color);
  }

  /** Text at (x, y) = top-left, scale 1 = 6x8 px per character; `vertical` draws bottom to top. */
  text(
    x: number,
    y: number,
    text: string,
    color: [number, number, number],
    scale = 1,
    vertical = false,
  ): void {
    let cursor = 0;
    for (const ch of text.toUpperCase()) {
      const glyph = FONT[ch] ?? FONT[' ']!;
      for (let row = 0; row < 7; row++) {
        for (let col = 0; col < 5; col++) {
          if (glyph[row * 5 + col] !== '#') continue;
          for (let sx = 0; sx < scale; sx++)
            for (let sy = 0; sy < scale; sy++) {
              const px = cursor + col * scale + sx;
              const py = row * scale + sy;
              if (vertical) this.set(x + py, y - px, color);
              else this.set(x + px, y + py, color);
            }
        }
      }
      cursor += 6 * scale;
    }
  }

  png(): Buffer {
    const raw = Buffer.alloc((this.width * 3 + 1) * this.height);
    for (let y = 0; y < this.height; y++) {
      raw[y * (this.width * 3 + 1)] = 0;
      Buffer.from(this.pixels.buffer, y * this.width * 3, this.width * 3).copy(
        raw,
        y * (this.width * 3 + 1) + 1,
      );
    }
    const header = Buffer.alloc(13);
    header.writeUInt32BE(this.width, 0);
    header.writeUInt32BE(this.height, 4);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type: truecolour RGB
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG chunk: length, type, data, CRC of type+data (PNG spec §5.3). */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A "nice" axis maximum and tick step for values up to `max`. */
function niceScale(max: number): { top: number; step: number } {
  const raw = Math.max(max, 1) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  return { top: Math.ceil(Math.max(max, 1) / step) * step, step };
}

/** Draws the series as lines with point markers, axes with ticks, title and legend. */
export function lineChartPng(series: ChartSeries[], options: ChartOptions): Buffer {
  const width = options.width ?? 800;
  const height = options.height ?? 500;
  const canvas = new Canvas(width, height);
  const black: [number, number, number] = [0, 0, 0];
  const grey: [number, number, number] = [225, 225, 225];
  const left = 80;
  const right = width - 30;
  const top = 50;
  const bottom = height - 60;
  const all = series.flatMap((s) => s.points);
  const xs = niceScale(Math.max(...all.map((p) => p.x), 1));
  const ys = niceScale(Math.max(...all.map((p) => p.y), 1));
  const px = (x: number) => left + (x / xs.top) * (right - left);
  const py = (y: number) => bottom - (y / ys.top) * (bottom - top);

  for (let v = 0; v <= ys.top; v += ys.step) {
    canvas.line(left, py(v), right, py(v), grey);
    const label = String(Math.round(v));
    canvas.text(left - 8 - label.length * 6, py(v) - 3, label, black);
  }
  for (let v = 0; v <= xs.top; v += xs.step) {
    canvas.line(px(v), bottom, px(v), bottom + 4, black);
    const label = String(Math.round(v));
    canvas.text(px(v) - label.length * 3, bottom + 10, label, black);
  }
  canvas.line(left, top, left, bottom, black);
  canvas.line(left, bottom, right, bottom, black);
  canvas.text(left, 15, options.title, black, 2);
  canvas.text((left + right) / 2 - options.xLabel.length * 3, height - 25, options.xLabel, black);
  canvas.text(15, (top + bottom) / 2 + options.yLabel.length * 3, options.yLabel, black, 1, true);

  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    for (let j = 1; j < pts.length; j++)
      canvas.line(px(pts[j - 1]!.x), py(pts[j - 1]!.y), px(pts[j]!.x), py(pts[j]!.y), s.color, 3);
    for (const p of pts) canvas.box(px(p.x) - 3, py(p.y) - 3, 7, 7, s.color);
    canvas.box(left + 15, top + 10 + i * 16, 12, 8, s.color);
    canvas.text(left + 32, top + 10 + i * 16, s.name, black);
  });
  return canvas.png();
}
