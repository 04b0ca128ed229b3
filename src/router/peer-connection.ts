import type { Codec } from '../codec/index.js';

/** One transport connection as a router session sees it (a WebSocket today). */
export interface PeerConnection {
  /** The serializer chosen for this connection (by WebSocket subprotocol). */
  readonly codec: Codec;
  sendFrame(frame: string | Uint8Array): void;
  /** Closes the transport; the session hears about it through `transportClosed`. */
  close(code: number, reason: string): void;
}
