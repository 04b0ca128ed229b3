import type { Dict } from '../../src/protocol/index.js';
import type { MemoryWebSocketClass } from '../../src/testing/memory-transport.js';
import type { WebSocketLike } from '../../src/transport/websocket.js';
import { CODECS, type Codec, type SerializerName } from './codecs.js';
import { joined, QueuedRawSession } from './raw-session.js';

/** What the in-memory WebSocket's events carry (it calls its handlers with these). */
interface MessageEvent {
  readonly data: string | ArrayBuffer;
}
interface CloseEvent {
  readonly code: number;
  readonly reason: string;
}

/**
 * RawPeer's counterpart on the in-memory transport (MemoryRouter's `WebSocket` class): the
 * same raw frames, queue and close report, with no socket, so a suite written against raw
 * peers runs unchanged against the router in memory.
 */
export class MemoryRawPeer extends QueuedRawSession {
  private constructor(
    override readonly socket: WebSocketLike,
    codec: Codec,
  ) {
    super(socket, codec);
    socket.onmessage = (event: MessageEvent) => this.frameArrived(typeof event.data === 'string' ? event.data : new Uint8Array(event.data));
    socket.onclose = (event: CloseEvent) => this.connectionClosed(event.code, event.reason);
  }

  /** Opens a connection into the router only (no HELLO); rejects if the router refuses it. */
  static open(MemoryWebSocket: MemoryWebSocketClass, serializer: SerializerName = 'json'): Promise<MemoryRawPeer> {
    const codec = CODECS[serializer];
    const socket = new MemoryWebSocket('ws://in-memory/ws', [codec.subprotocol]);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new MemoryRawPeer(socket, codec));
      socket.onclose = (event: CloseEvent) => reject(new Error(`MemoryRawPeer: refused (${event.code} ${event.reason})`));
    });
  }

  /** Opens a connection and joins the realm; resolves once WELCOME arrived. */
  static join(
    MemoryWebSocket: MemoryWebSocketClass,
    realm: string,
    options: { serializer?: SerializerName; roles?: Dict; details?: Dict } = {},
  ): Promise<MemoryRawPeer> {
    return joined(MemoryRawPeer.open(MemoryWebSocket, options.serializer), realm, options);
  }

  /** Bytes go as a binary frame and text as a text frame; `binary` converts one to the other, as `ws` would send it. */
  sendFrame(frame: string | Uint8Array, binary = this.codec.binary): void {
    if (binary) this.socket.send(typeof frame === 'string' ? new TextEncoder().encode(frame) : Uint8Array.from(frame));
    else this.socket.send(typeof frame === 'string' ? frame : new TextDecoder().decode(frame));
  }
}
