import type { Codec } from '../../src/codec/index.js';
import { MessageType, type Dict } from '../../src/protocol/index.js';

/** Every client feature, so the router treats a raw peer as fully capable unless told otherwise. */
export const FULL_ROLES: Dict = {
  caller: {
    features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true, call_timeout: true, caller_identification: true },
  },
  callee: {
    features: {
      progressive_call_results: true,
      progressive_call_invocations: true,
      call_canceling: true,
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
    },
  },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true, subscriber_blackwhite_listing: true } },
  subscriber: { features: { pattern_based_subscription: true, publisher_identification: true } },
};

export type MessagePredicate = (message: unknown[]) => boolean;

/**
 * The client side of a WAMP session written message by message, the same over any transport
 * (RawPeer on a WebSocket, RawSocketWire on WAMP-RawSocket): HELLO, REGISTER, SUBSCRIBE and CALL
 * as exact messages, and their answers, on top of the transport's `send` and `next`.
 */
export abstract class RawSession {
  sessionId = 0;
  private requestId = 0;

  abstract send(message: unknown[]): void;

  /** The next message matching (earlier non-matching ones stay queued). */
  abstract next(predicate?: MessagePredicate, timeoutMs?: number): Promise<unknown[]>;

  nextRequestId(): number {
    return ++this.requestId;
  }

  /** HELLO (with FULL_ROLES unless told); resolves with the WELCOME or ABORT. Request ids start again with the session. */
  async hello(realm: string, options: { roles?: Dict; details?: Dict } = {}): Promise<unknown[]> {
    this.requestId = 0;
    this.send([MessageType.HELLO, realm, { roles: options.roles ?? FULL_ROLES, ...options.details }]);
    const answer = await this.next((m) => m[0] === MessageType.WELCOME || m[0] === MessageType.ABORT);
    if (answer[0] === MessageType.WELCOME) this.sessionId = answer[1] as number;
    return answer;
  }

  /** REGISTER and wait for REGISTERED; returns the registration id. */
  register(procedure: string, options: Dict = {}): Promise<number> {
    return this.acknowledged('REGISTER', MessageType.REGISTERED, procedure, options);
  }

  /** SUBSCRIBE and wait for SUBSCRIBED; returns the subscription id. */
  subscribe(topic: string, options: Dict = {}): Promise<number> {
    return this.acknowledged('SUBSCRIBE', MessageType.SUBSCRIBED, topic, options);
  }

  /** Sends `kind` for `uri`; resolves with the id its `acknowledgement` carries, rejects on its ERROR. */
  private async acknowledged(
    kind: 'REGISTER' | 'SUBSCRIBE',
    acknowledgement: MessageType.REGISTERED | MessageType.SUBSCRIBED,
    uri: string,
    options: Dict,
  ): Promise<number> {
    const request = this.nextRequestId();
    this.send([MessageType[kind], request, options, uri]);
    const answer = await this.next((m) => (m[0] === acknowledgement && m[1] === request) || (m[0] === MessageType.ERROR && m[2] === request));
    if (answer[0] !== acknowledgement) throw new Error(`${kind} ${uri} failed: ${JSON.stringify(answer)}`);
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
    return this.next(
      (m) =>
        (m[0] === MessageType.RESULT && m[1] === request && !(m[2] as Dict)['progress']) ||
        (m[0] === MessageType.ERROR && m[1] === MessageType.CALL && m[2] === request),
      timeoutMs,
    );
  }
}

/** How a WebSocket connection ended, as its close event reports it. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** What QueuedRawSession needs of a WebSocket, `ws` or the in-memory one alike. */
export interface ClosableSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  readonly protocol: string;
  close(): void;
}

const OPEN = 1;

/** Opens a peer and joins `realm` with it; resolves with the peer once WELCOME arrived. */
export async function joined<Peer extends RawSession>(opening: Promise<Peer>, realm: string, options: { roles?: Dict; details?: Dict } = {}): Promise<Peer> {
  const peer = await opening;
  await peer.hello(realm, options);
  return peer;
}

/**
 * A RawSession over a WebSocket-shaped connection (whole frames, a close code and reason),
 * whatever carries it: RawPeer (a `ws` socket) and MemoryRawPeer (the in-memory transport).
 * It keeps what arrives: every message in `received`, the ones not yet taken in a queue that
 * `next` takes from in order. A subclass hands it each frame (`frameArrived`) and the close
 * (`connectionClosed`), and writes frames (`sendFrame`).
 */
export abstract class QueuedRawSession extends RawSession {
  /** Every WAMP message received, in order. */
  readonly received: unknown[][] = [];
  /** Resolves with the close code and reason once the connection has closed (either side). */
  readonly closed: Promise<CloseInfo>;
  private readonly queue: unknown[][] = [];
  private readonly frameListeners: Array<(frame: string | Uint8Array) => void> = [];
  private waiter: { predicate: MessagePredicate; resolve: (message: unknown[]) => void; reject: (error: Error) => void } | undefined;
  private resolveClosed!: (info: CloseInfo) => void;
  private hasClosed = false;

  protected constructor(
    readonly socket: ClosableSocket,
    readonly codec: Codec,
  ) {
    super();
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Writes one frame as it is (text, or bytes: binary unless told). */
  abstract sendFrame(frame: string | Uint8Array, binary?: boolean): void;

  /** The WebSocket subprotocol the router chose, e.g. `wamp.2.cbor`. */
  get protocol(): string {
    return this.socket.protocol;
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return !this.hasClosed && this.socket.readyState === OPEN;
  }

  /** Closes the connection; resolves once it has closed. */
  close(): Promise<void> {
    if (this.hasClosed) return Promise.resolve();
    this.socket.close();
    return this.closed.then(() => undefined);
  }

  send(message: unknown[]): void {
    this.sendFrame(this.codec.encode(message), this.codec.binary);
  }

  /** Calls `listener` with every frame that arrives from now on, as it came (text or bytes), before it is decoded. */
  onFrame(listener: (frame: string | Uint8Array) => void): void {
    this.frameListeners.push(listener);
  }

  /** The next incoming message (matching the predicate: earlier non-matching ones stay queued). */
  next(predicate: MessagePredicate = () => true, timeoutMs = 3000): Promise<unknown[]> {
    const index = this.queue.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]!);
    const name = this.constructor.name;
    if (this.waiter) return Promise.reject(new Error(`${name}.next: already waiting`));
    if (this.hasClosed) return Promise.reject(new Error(`${name}: connection closed; received ${JSON.stringify(this.received.slice(-5))}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`${name}.next: nothing matching within ${timeoutMs} ms; received ${JSON.stringify(this.received.slice(-5))}`));
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

  /** A frame arrived: it is decoded and handed to the waiting `next`, or queued. */
  protected frameArrived(frame: string | Uint8Array): void {
    for (const listener of this.frameListeners) listener(frame);
    const decoded = this.codec.decode(frame) as unknown[];
    this.received.push(decoded);
    if (this.waiter?.predicate(decoded)) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(decoded);
    } else {
      this.queue.push(decoded);
    }
  }

  /** The connection closed: a waiting `next` fails, and `closed` resolves. */
  protected connectionClosed(code: number, reason: string): void {
    this.hasClosed = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new Error(`${this.constructor.name}: connection closed (${code})`));
    this.resolveClosed({ code, reason });
  }
}
