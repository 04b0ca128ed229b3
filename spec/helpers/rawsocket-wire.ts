import { connect, type Socket } from 'node:net';
import { CODECS, type Codec, type SerializerName } from './codecs.js';
import { RawSession, type MessagePredicate } from './raw-session.js';
import type { Dict } from '../../src/protocol/index.js';
import { encodeFrame, encodeHandshake, FrameDecoder, FrameType, RawSocketSerializerId, type RawSocketFrame } from '../../src/transport/rawsocket-framing.js';

/** Where a RawSocket listener is: TCP or a Unix socket. */
export type RawSocketTarget = { readonly host: string; readonly port: number } | { readonly path: string };

/**
 * A scripted WAMP-RawSocket client on a real TCP (or Unix) socket, for tests that must send
 * and see exact bytes. Before `startFraming`, what arrives is kept as bytes (`takeBytes`);
 * after it, as frames: WAMP messages decoded with the serializer (`next`), PINGs recorded and
 * (unless `answerPings` is false) answered with a PONG, PONGs recorded.
 */
export class RawSocketWire extends RawSession {
  /** Every WAMP message received, in order. */
  readonly received: unknown[][] = [];
  /** Payloads of the PINGs and PONGs the router sent. */
  readonly pings: Uint8Array[] = [];
  readonly pongs: Uint8Array[] = [];
  /** The payload length of every frame the router sent, in order. */
  readonly frameLengths: number[] = [];
  answerPings = true;
  /** Resolves when the socket has closed (either side). */
  readonly closed: Promise<void>;
  private bytes = Buffer.alloc(0);
  private decoder: FrameDecoder | undefined;
  private readonly queue: unknown[][] = [];
  private readonly waiters = new Set<() => void>();
  private isClosed = false;

  private constructor(
    readonly socket: Socket,
    readonly codec: Codec,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => this.arrived(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** Opens the socket; sends nothing yet. */
  static open(target: RawSocketTarget, serializer: SerializerName = 'json'): Promise<RawSocketWire> {
    const socket = 'path' in target ? connect(target.path) : connect(target.port, target.host);
    socket.setNoDelay(true);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new RawSocketWire(socket, CODECS[serializer])));
      socket.once('error', reject);
    });
  }

  /** Opens the socket and completes the handshake (with a 16 MiB limit unless told); rejects if the router refuses. */
  static async handshake(target: RawSocketTarget, serializer: SerializerName = 'json', lengthExponent = 15): Promise<RawSocketWire> {
    const wire = await RawSocketWire.open(target, serializer);
    wire.write(encodeHandshake({ lengthExponent, serializerId: RawSocketSerializerId[serializer] }));
    const answer = await wire.takeBytes(4);
    if ((answer[1]! & 0x0f) === 0) throw new Error(`the router refused the handshake: ${Buffer.from(answer).toString('hex')}`);
    wire.startFraming(2 ** 24);
    return wire;
  }

  /** Handshake, then HELLO; resolves once WELCOME arrived. */
  static async join(
    target: RawSocketTarget,
    options: { serializer?: SerializerName; realm?: string; lengthExponent?: number; roles?: Dict } = {},
  ): Promise<RawSocketWire> {
    const wire = await RawSocketWire.handshake(target, options.serializer, options.lengthExponent);
    await wire.hello(options.realm ?? 'realm1', { roles: options.roles });
    return wire;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  write(bytes: Uint8Array | readonly number[]): void {
    this.socket.write(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  /** The next `count` raw bytes (before framing starts); rejects if the socket closes first. */
  async takeBytes(count: number, timeoutMs = 3000): Promise<Uint8Array> {
    await this.until(() => this.bytes.length >= count, `${count} bytes (have ${this.bytes.length})`, timeoutMs);
    const taken = this.bytes.subarray(0, count);
    this.bytes = this.bytes.subarray(count);
    return Uint8Array.from(taken);
  }

  /** Every raw byte that arrived and was not taken. */
  get rawBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  /** From now on what arrives is frames (of at most `maxLength` octets). */
  startFraming(maxLength: number): void {
    this.decoder = new FrameDecoder(maxLength);
    const rest = this.bytes;
    this.bytes = Buffer.alloc(0);
    if (rest.length > 0) this.frames(rest);
  }

  send(message: unknown[]): void {
    this.write(this.frame(message));
  }

  /** One framed WAMP message as it goes on the wire. */
  frame(message: unknown[]): Uint8Array {
    const encoded = this.codec.encode(message);
    return encodeFrame(FrameType.message, typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded);
  }

  sendPing(payload: Uint8Array): void {
    this.write(encodeFrame(FrameType.ping, payload));
  }

  /** The next message matching (earlier non-matching ones stay queued); rejects if the socket closes first. */
  async next(predicate: MessagePredicate = () => true, timeoutMs = 3000): Promise<unknown[]> {
    let index = -1;
    await this.until(() => (index = this.queue.findIndex(predicate)) >= 0, 'a matching message', timeoutMs);
    return this.queue.splice(index, 1)[0]!;
  }

  /** Resolves once `condition` holds (checked on every arrival); rejects on close or timeout. */
  until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) finish();
        else if (this.isClosed) finish(new Error(`RawSocketWire: the connection closed before ${what}; received ${JSON.stringify(this.received.slice(-3))}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`RawSocketWire: no ${what} within ${timeoutMs} ms; received ${JSON.stringify(this.received.slice(-3))}`)),
        timeoutMs,
      );
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
    });
  }

  close(): Promise<void> {
    this.socket.resume();
    this.socket.end();
    const killer = setTimeout(() => this.socket.destroy(), 1000);
    return this.closed.then(() => clearTimeout(killer));
  }

  private arrived(chunk: Buffer): void {
    if (this.decoder) this.frames(chunk);
    else this.bytes = Buffer.concat([this.bytes, chunk]);
    this.wake();
  }

  private frames(chunk: Uint8Array): void {
    this.decoder!.push(chunk);
    for (let frame: RawSocketFrame | undefined = this.decoder!.next(); frame; frame = this.decoder!.next()) {
      this.frameLengths.push(frame.payload.byteLength);
      const payload = Uint8Array.from(frame.payload);
      if (frame.type === FrameType.ping) {
        this.pings.push(payload);
        if (this.answerPings) this.write(encodeFrame(FrameType.pong, payload));
      } else if (frame.type === FrameType.pong) {
        this.pongs.push(payload);
      } else {
        const message = this.codec.decode(this.codec.binary ? payload : Buffer.from(payload).toString('utf8')) as unknown[];
        this.received.push(message);
        this.queue.push(message);
      }
    }
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
