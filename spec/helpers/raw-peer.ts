import WebSocket from 'ws';
import { CODECS, type Codec, type SerializerName } from './codecs.js';
import type { Dict } from '../../src/protocol/index.js';
import { joined, QueuedRawSession } from './raw-session.js';

export { FULL_ROLES } from './raw-session.js';

/**
 * A WAMP peer that speaks raw frames over a WebSocket (`ws`), for tests that must see (or send)
 * exactly what is on the wire. Incoming messages are queued; `next` takes them in order.
 */
export class RawPeer extends QueuedRawSession {
  private constructor(
    override readonly socket: WebSocket,
    codec: Codec,
  ) {
    super(socket, codec);
    socket.on('message', (data: Buffer, isBinary: boolean) =>
      this.frameArrived(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString('utf8')),
    );
    socket.on('close', (code, reason) => this.connectionClosed(code, reason.toString()));
    socket.on('error', () => undefined);
  }

  /** Opens the WebSocket only (no HELLO). */
  static open(url: string, serializer: SerializerName = 'json'): Promise<RawPeer> {
    const codec = CODECS[serializer];
    const socket = new WebSocket(url, [codec.subprotocol]);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawPeer(socket, codec)));
      socket.once('error', reject);
    });
  }

  /** Opens a WebSocket and joins the realm; resolves once WELCOME arrived. */
  static join(url: string, realm: string, options: { serializer?: SerializerName; roles?: Dict; details?: Dict } = {}): Promise<RawPeer> {
    return joined(RawPeer.open(url, options.serializer), realm, options);
  }

  sendFrame(frame: string | Uint8Array, binary = this.codec.binary): void {
    this.socket.send(frame, { binary });
  }
}
