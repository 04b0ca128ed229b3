/**
 * Hand-built WebSocket frames (RFC 6455 §5.2), so the scripted peers can stream thousands of
 * pre-encoded messages with one socket write per batch: the client under test, not the peer,
 * is then what limits the rate. Server→client frames are unmasked; client→server frames must
 * carry a mask, and we use the all-zero key (XOR with zero leaves the payload as it is).
 */
import type { Socket } from 'node:net';

export function wsFrame(payload: string | Uint8Array, masked: boolean): Buffer {
  const binary = typeof payload !== 'string';
  const body = binary ? Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength) : Buffer.from(payload, 'utf8');
  const len = body.length;
  const lengthBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  header[0] = 0x80 | (binary ? 0x2 : 0x1); // FIN + opcode
  const maskBit = masked ? 0x80 : 0;
  if (lengthBytes === 0) header[1] = maskBit | len;
  else if (lengthBytes === 2) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  // Mask key (if any) stays all zero.
  return Buffer.concat([header, body]);
}

/** Resolves when the socket can take more (or is gone). */
function drained(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/**
 * Writes `count` copies of `frame` to the raw socket in batches, waiting for 'drain' whenever
 * the kernel buffer is full. `stopped()` is checked between batches (a CANCEL/INTERRUPT).
 */
export async function blast(socket: Socket, frame: Buffer, count: number, stopped: () => boolean): Promise<number> {
  const perBatch = Math.max(1, Math.floor((64 * 1024) / frame.length));
  const batch = Buffer.concat(new Array<Buffer>(perBatch).fill(frame));
  let sent = 0;
  while (sent < count && !stopped() && !socket.destroyed) {
    const n = Math.min(perBatch, count - sent);
    const ok = socket.write(n === perBatch ? batch : batch.subarray(0, n * frame.length));
    sent += n;
    if (!ok) await drained(socket);
  }
  return sent;
}
