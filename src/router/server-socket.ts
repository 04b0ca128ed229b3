import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { codecBySubprotocol, CODECS, type Codec } from '../codec/index.js';
import { watchLiveness, type LivenessTimes } from './liveness.js';
import type { PeerConnection } from './peer-connection.js';

/** The subprotocols the router speaks, one per codec (`wamp.2.json`, `wamp.2.cbor`, `wamp.2.msgpack`). */
export const SUPPORTED_SUBPROTOCOLS: readonly string[] = Object.values(CODECS).map((codec) => codec.subprotocol);

export interface SocketHandlers {
  /** A WebSocket with a WAMP subprotocol opened; returns the frame and close handlers for it. */
  opened(connection: PeerConnection): { receive(frame: string | Uint8Array, byteLength: number): void; closed(): void };
}

export interface SocketLimits extends LivenessTimes {
  /** Largest WebSocket message read at all; ws closes the connection (1009) on a larger one. */
  readonly maxFrameSize: number;
  readonly maxBufferedBytes: number;
}

/**
 * The WebSocket side of the router: subprotocol choice (the first one the client offers that
 * we speak, §8.3), one PeerConnection per socket, frames handed to the session as bytes or text.
 */
export class ServerSocket {
  private readonly server: WebSocketServer;

  constructor(handlers: SocketHandlers, limits: SocketLimits) {
    const { maxFrameSize, maxBufferedBytes } = limits;
    this.server = new WebSocketServer({
      noServer: true,
      // Above maxMessageSize the session answers for the one message; only beyond this hard
      // cap is a frame too big to read at all.
      maxPayload: maxFrameSize,
      handleProtocols: (offered) => {
        for (const protocol of offered) if (SUPPORTED_SUBPROTOCOLS.includes(protocol)) return protocol;
        return false;
      },
    });
    this.server.on('connection', (socket: WebSocket) => {
      const codec = codecBySubprotocol(socket.protocol);
      if (!codec) {
        // No WAMP subprotocol in common: a WAMP session cannot start (§8.3).
        socket.close(1002, 'no supported WAMP subprotocol offered');
        return;
      }
      const session = handlers.opened(new WebSocketPeer(socket, codec, maxBufferedBytes));
      socket.on('message', (data: RawData, isBinary: boolean) => {
        const bytes = toBuffer(data);
        // Text frames stay strings (JSON); binary frames become one Uint8Array.
        session.receive(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'), bytes.byteLength);
      });
      watchLiveness(socket, limits);
      socket.on('close', () => session.closed());
      // Errors (bad frames at the WebSocket level, resets) are followed by close.
      socket.on('error', () => undefined);
    });
  }

  /** Completes an HTTP upgrade request on this WebSocket server; `upgraded` runs once the WebSocket is open. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, upgraded: () => void): void {
    this.server.handleUpgrade(request, socket, head, (ws) => {
      upgraded();
      this.server.emit('connection', ws, request);
    });
  }

  /** Stops accepting and terminates any socket still open. */
  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class WebSocketPeer implements PeerConnection {
  constructor(private readonly socket: WebSocket, readonly codec: Codec, private readonly maxBufferedBytes: number) {}

  sendFrame(frame: string | Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A peer that does not read (a stalled subscriber of a busy topic) would make the router
    // buffer without bound: drop it instead; its session is released like any lost one.
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.socket.terminate();
      return;
    }
    this.socket.send(frame, { binary: this.codec.binary });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }
}

/** One Buffer for the message, whatever shape ws delivered it in; its length is the size on the wire. */
function toBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}
