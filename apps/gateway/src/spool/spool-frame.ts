import { crc32 } from 'node:zlib';

/**
 * One record on disk: [u32 body length][u32 CRC-32 of body][body]. The CRC finds a record torn by a
 * crash in the middle of a write; such a record was never acknowledged, since acknowledgement waits
 * for fdatasync.
 */
export const FRAME_HEADER_BYTES = 8;

export function encodeFrame(body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export interface DecodedFrames {
  bodies: Buffer[];
  /** Bytes of whole, intact frames from the start: a crash-torn tail starts here. */
  validBytes: number;
}

export function decodeFrames(data: Buffer): DecodedFrames {
  const bodies: Buffer[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > data.length) break;
    const body = data.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(body) !== data.readUInt32LE(offset + 4)) break;
    bodies.push(body);
    offset = end;
  }
  return { bodies, validBytes: offset };
}
