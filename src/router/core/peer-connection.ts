import type { Codec } from '../../codec/index.js';

/**
 * One transport connection as a router session sees it (a WebSocket today). It tells its
 * session when its output has drained below flowLowWaterMark (SocketHandlers.opened).
 */
export interface PeerConnection {
  /** The serializer chosen for this connection (by WebSocket subprotocol). */
  readonly codec: Codec;
  sendFrame(frame: string | Uint8Array): void;
  /** True while more than flowHighWaterMark bytes wait to be sent (until they drain below flowLowWaterMark). */
  readonly congested: boolean;
  /** Bytes handed to the transport and not yet written to the network. */
  readonly unsentBytes: number;
  /** Stops reading from the peer (its socket's TCP window closes); see FlowGate. */
  pauseReading(): void;
  resumeReading(): void;
  /** Closes the transport; the session hears about it through `transportClosed`. */
  close(code: number, reason: string): void;
}
