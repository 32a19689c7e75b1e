/**
 * A real, small PNG drawn in code: a sine curve over a few bars on light axes, like a matplotlib chart.
 * Encoded by hand (IHDR, one zlib IDAT, IEND, CRC-32 per chunk) so no image library is needed.
 */
import { deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes an RGB raster (row-major, 3 bytes per pixel) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 160×100 chart: grey grid, black axes, orange bars and a thick blue sine curve. */
export function makeChartPng(width = 160, height = 100): Buffer {
  const px = new Uint8Array(width * height * 3).fill(255);
  const set = (x: number, y: number, [r, g, b]: Rgb): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      return;
    }
    const i = (y * width + x) * 3;
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  };
  const left = 12;
  const bottom = height - 10;
  const top = 6;
  const right = width - 6;
  const grid: Rgb = [225, 225, 225];
  for (let y = top; y <= bottom; y += 14) {
    for (let x = left; x <= right; x++) {
      set(x, y, grid);
    }
  }
  const bar: Rgb = [255, 160, 60];
  const bars = 8;
  const span = (right - left) / bars;
  for (let i = 0; i < bars; i++) {
    const h = Math.round(((i % 4) + 1) * ((bottom - top) / 6));
    const x0 = Math.round(left + i * span + 3);
    for (let x = x0; x < x0 + Math.round(span) - 6; x++) {
      for (let y = bottom - h; y < bottom; y++) {
        set(x, y, bar);
      }
    }
  }
  const axis: Rgb = [30, 30, 30];
  for (let x = left; x <= right; x++) {
    set(x, bottom, axis);
  }
  for (let y = top; y <= bottom; y++) {
    set(left, y, axis);
  }
  const blue: Rgb = [31, 119, 180];
  const mid = (top + bottom) / 2;
  const amp = (bottom - top) / 2 - 4;
  let prev = -1;
  for (let x = left + 1; x <= right; x++) {
    const y = Math.round(mid - amp * Math.sin(((x - left) / (right - left)) * 4 * Math.PI));
    const from = prev < 0 ? y : Math.min(prev, y);
    const to = prev < 0 ? y : Math.max(prev, y);
    for (let yy = from; yy <= to; yy++) {
      set(x, yy, blue);
      set(x, yy + 1, blue);
    }
    prev = y;
  }
  return encodePng(width, height, px);
}
