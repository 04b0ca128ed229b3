import WebSocket from 'ws';
import { CODECS, type Codec, type SerializerName } from './codecs.js';
import { MessageType, type Dict } from '../../src/protocol/index.js';

/** Every client feature, so the router treats a raw peer as fully capable unless told otherwise. */
export const FULL_ROLES: Dict = {
  caller: { features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true, call_timeout: true, caller_identification: true } },
  callee: { features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true, caller_identification: true, pattern_based_registration: true, shared_registration: true } },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true, subscriber_blackwhite_listing: true } },
  subscriber: { features: { pattern_based_subscription: true, publisher_identification: true } },
};

type Predicate = (message: unknown[]) => boolean;

/**
 * A WAMP peer that speaks raw frames over a WebSocket, for tests that must see (or send)
 * exactly what is on the wire. Incoming messages are queued; `next` takes them in order.
 */
export class RawPeer {
  readonly received: unknown[][] = [];
  sessionId = 0;
  private readonly queue: unknown[][] = [];
  private waiter: { predicate: Predicate; resolve: (message: unknown[]) => void; reject: (error: Error) => void } | undefined;
  private requestId = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private isClosed = false;

  private constructor(readonly socket: WebSocket, readonly codec: Codec) {
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
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => {
      this.isClosed = true;
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.reject(new Error(`RawPeer: connection closed (${code})`));
      resolve({ code, reason: reason.toString() });
    }));
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

  async hello(realm: string, options: { roles?: Dict; details?: Dict } = {}): Promise<unknown[]> {
    this.requestId = 0;
    this.send([MessageType.HELLO, realm, { roles: options.roles ?? FULL_ROLES, ...options.details }]);
    const answer = await this.next((m) => m[0] === MessageType.WELCOME || m[0] === MessageType.ABORT);
    if (answer[0] === MessageType.WELCOME) this.sessionId = answer[1] as number;
    return answer;
  }

  get isOpen(): boolean {
    return !this.isClosed && this.socket.readyState === WebSocket.OPEN;
  }

  nextRequestId(): number {
    return ++this.requestId;
  }

  send(message: unknown[]): void {
    this.socket.send(this.codec.encode(message), { binary: this.codec.binary });
  }

  sendFrame(frame: string | Uint8Array, binary = this.codec.binary): void {
    this.socket.send(frame, { binary });
  }

  /** The next incoming message (matching the predicate: earlier non-matching ones stay queued). */
  next(predicate: Predicate = () => true, timeoutMs = 3000): Promise<unknown[]> {
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
        resolve: (message) => { clearTimeout(timer); resolve(message); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
    });
  }

  /** Messages received and not yet taken by `next`. */
  pending(): unknown[][] {
    return [...this.queue];
  }

  /** REGISTER and wait for REGISTERED; returns the registration id. */
  async register(procedure: string, options: Dict = {}): Promise<number> {
    const request = this.nextRequestId();
    this.send([MessageType.REGISTER, request, options, procedure]);
    const answer = await this.next((m) => (m[0] === MessageType.REGISTERED || m[0] === MessageType.ERROR) && (m[0] === MessageType.ERROR ? m[2] : m[1]) === request);
    if (answer[0] !== MessageType.REGISTERED) throw new Error(`REGISTER ${procedure} failed: ${JSON.stringify(answer)}`);
    return answer[2] as number;
  }

  /** SUBSCRIBE and wait for SUBSCRIBED; returns the subscription id. */
  async subscribe(topic: string, options: Dict = {}): Promise<number> {
    const request = this.nextRequestId();
    this.send([MessageType.SUBSCRIBE, request, options, topic]);
    const answer = await this.next((m) => (m[0] === MessageType.SUBSCRIBED && m[1] === request) || (m[0] === MessageType.ERROR && m[2] === request));
    if (answer[0] !== MessageType.SUBSCRIBED) throw new Error(`SUBSCRIBE ${topic} failed: ${JSON.stringify(answer)}`);
    return answer[2] as number;
  }

  /** Sends a CALL and returns its request id. */
  call(procedure: string, args: unknown[] = [], kwargs: Dict = {}, options: Dict = {}): number {
    const request = this.nextRequestId();
    this.send([MessageType.CALL, request, options, procedure, args, kwargs]);
    return request;
  }

  /** The terminating RESULT or ERROR of a call (progressive RESULTs are skipped over). */
  callOutcome(request: number, timeoutMs?: number): Promise<unknown[]> {
    return this.next((m) => (m[0] === MessageType.RESULT && m[1] === request && !(m[2] as Dict)['progress']) ||
      (m[0] === MessageType.ERROR && m[1] === MessageType.CALL && m[2] === request), timeoutMs);
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.socket.close();
    return this.closed.then(() => undefined);
  }
}
