import { utf8Length } from '../../codec/utf8-length.js';

/**
 * Messages before WELCOME (HELLO, AUTHENTICATE, ABORT) may be at most this many bytes: a real
 * HELLO is well under 4 KiB (a large ticket or authextra included), and an unjoined connection
 * must not make the router decode and walk megabytes (a HELLO with 500,000 feature keys held the
 * event loop for over a second).
 */
export const MAX_HANDSHAKE_MESSAGE_BYTES = 64 * 1024;

/** WebSocket close code 1009: the message is too big to process (RFC 6455 §7.4.1). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/**
 * Whether an encoded frame is over `limit` bytes on the wire. A text frame is sent as UTF-8,
 * which takes 1 to 3 bytes per UTF-16 code unit; only a string in the band where that matters is
 * measured exactly, so the common case costs no pass over the text.
 */
export function frameExceeds(frame: string | Uint8Array, limit: number): boolean {
  if (typeof frame !== 'string') return frame.byteLength > limit;
  if (frame.length > limit) return true;
  if (frame.length * 3 <= limit) return false;
  return utf8Length(frame) > limit;
}

/** The WebSocket close that follows an ABORT, when it should say more than the ABORT's URI. */
export interface TransportClose {
  readonly code: number;
  readonly reason: string;
}

/** The close for a connection dropped over a message it sent that was too big to handle. */
export function closeTooBig(byteLength: number): TransportClose {
  return { code: CLOSE_MESSAGE_TOO_BIG, reason: `message too big (${byteLength} bytes)` };
}
