import WebSocket from 'ws';
import { CODECS, type Codec, type SerializerName } from './codecs.js';
import type { Dict } from '../../src/protocol/index.js';
import { RawSession, type MessagePredicate } from './raw-session.js';

export { FULL_ROLES } from './raw-session.js';

/**
 * A WAMP peer that speaks raw frames over a WebSocket, for tests that must see (or send)
 * exactly what is on the wire. Incoming messages are queued; `next` takes them in order.
 */
export class RawPeer extends RawSession {
  readonly received: unknown[][] = [];
  private readonly queue: unknown[][] = [];
  private waiter: { predicate: MessagePredicate; resolve: (message: unknown[]) => void; reject: (error: Error) => void } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  private isClosed = false;

  private constructor(
    readonly socket: WebSocket,
    readonly codec: Codec,
  ) {
    super();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const decoded = codec.decode(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString('utf8')) as unknown[];
      this.received.push(decoded);
      if (this.waiter?.predicate(decoded)) {
        const { resolve } = this.waiter;
        this.waiter = undefined;
        resolve(decoded);
      } else {
        this.queue.push(decoded);
      }
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        this.isClosed = true;
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter?.reject(new Error(`RawPeer: connection closed (${code})`));
        resolve({ code, reason: reason.toString() });
      }),
    );
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
  static async join(url: string, realm: string, options: { serializer?: SerializerName; roles?: Dict; details?: Dict } = {}): Promise<RawPeer> {
    const peer = await RawPeer.open(url, options.serializer);
    await peer.hello(realm, options);
    return peer;
  }

  get isOpen(): boolean {
    return !this.isClosed && this.socket.readyState === WebSocket.OPEN;
  }

  send(message: unknown[]): void {
    this.socket.send(this.codec.encode(message), { binary: this.codec.binary });
  }

  sendFrame(frame: string | Uint8Array, binary = this.codec.binary): void {
    this.socket.send(frame, { binary });
  }

  /** The next incoming message (matching the predicate: earlier non-matching ones stay queued). */
  next(predicate: MessagePredicate = () => true, timeoutMs = 3000): Promise<unknown[]> {
    const index = this.queue.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]!);
    if (this.waiter) return Promise.reject(new Error('RawPeer.next: already waiting'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`RawPeer.next: nothing matching within ${timeoutMs} ms; received ${JSON.stringify(this.received.slice(-5))}`));
      }, timeoutMs);
      this.waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Messages received and not yet taken by `next`. */
  pending(): unknown[][] {
    return [...this.queue];
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.socket.close();
    return this.closed.then(() => undefined);
  }
}
