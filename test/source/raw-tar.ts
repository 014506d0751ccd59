import { gzipSync } from 'node:zlib';

/** One hand-made tar entry, for archives no well-behaved tool would write. */
export interface RawEntry {
  path: string;
  /** `0` file, `1` hard link, `2` symlink, `3` char device, `4` block device, `5` directory, `6` FIFO. */
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  data?: Buffer | string;
  /** Size declared in the header; defaults to the data length. */
  size?: number;
  linkpath?: string;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

/** Builds a gzip-compressed ustar archive byte by byte, with no safety checks. */
export function rawTarGz(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.path, 0, 100, 'utf8');
    h.write(octal(e.type === '5' ? 0o755 : 0o644, 8), 100);
    h.write(octal(0, 8), 108);
    h.write(octal(0, 8), 116);
    h.write(octal(e.size ?? data.length, 12), 124);
    h.write(octal(0, 12), 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    if (e.linkpath) h.write(e.linkpath, 157, 100, 'utf8');
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7), 148);
    blocks.push(h);
    if (data.length > 0) {
      blocks.push(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
