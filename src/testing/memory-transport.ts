import type { Codec } from '../codec/codec.js';
import { utf8Length } from '../codec/utf8-length.js';
import type { PeerConnection } from '../router/core/peer-connection.js';
import type { SessionHandlers } from '../router/core/router-core.js';
import type { WebSocketLike } from '../transport/websocket.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** The close code a browser reports for a connection lost without a close frame. */
const CLOSE_ABNORMAL = 1006;
/** The close code reported for a close frame without one. */
const CLOSE_NO_STATUS = 1005;
/** A UTF-16 surrogate without its pair (what a WebSocket sends as U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The close code of a frame too big to read (RFC 6455 §7.4.1). */
const CLOSE_TOO_BIG = 1009;

/** Where in-memory connections go: a router core's session hand-over. */
export interface MemoryEndpoint {
  /** The serializers the router speaks (the client's first offered one in this list is chosen, as over WebSocket). */
  readonly codecs: readonly Codec[];
  /** Largest frame read at all (RouterOptions.maxFrameSize): a larger one closes the connection with 1009, as over WebSocket. */
  readonly maxFrameSize: number;
  /** close() was called: new connections are refused. */
  isClosing(): boolean;
  /** A connection opened: it becomes a router session. */
  open(connection: PeerConnection): SessionHandlers;
}

/** Which way a frame went, as the router sees it. */
export type FrameDirection = 'to-router' | 'from-router';

/** One in-memory connection, as the transport's owner sees it. */
export interface MemoryConnection {
  /** The serializer both sides use (undefined until the connection opened). */
  readonly codec: Codec | undefined;
  /** Whether it is open (not yet closed by either side nor dropped). */
  readonly isOpen: boolean;
  /** Loses the connection as a network failure would: no close frame, both sides told at once (1006). */
  drop(): void;
}

/** What the transport's owner hears: every connection opened and closed, every frame delivered. */
export interface MemoryTransportObserver {
  opened?(connection: MemoryConnection): void;
  delivered?(connection: MemoryConnection, direction: FrameDirection, frame: string | Uint8Array): void;
  closed?(connection: MemoryConnection): void;
  /** Everything queued has been delivered and handled (the receivers' synchronous work is done). */
  idle?(): void;
}

/** A WebSocket class whose connections go into a router in memory, as `WampClientOptions.WebSocket` takes it. */
export type MemoryWebSocketClass = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike & {
  /** Always 0: a frame is handed over whole. */
  readonly bufferedAmount: number;
};

/**
 * One in-memory transport: what its connections share. Every frame and close of every
 * connection goes through one FIFO queue, drained in promise jobs (never timers nor
 * queueMicrotask, which test runners' fake timers may replace), so delivery keeps the order of
 * sending across connections, is never re-entrant, and stops as a whole while frozen.
 */
export class MemoryTransport {
  private readonly queue: Array<() => void> = [];
  private drainScheduled = false;
  private frozen = false;
  private readonly live = new Set<MemoryConnection>();

  constructor(
    /** @internal Where its connections go (read by its sockets). */
    readonly endpoint: MemoryEndpoint,
    /** @internal Who hears of its connections and frames (told by its sockets). */
    readonly observer: MemoryTransportObserver = {},
  ) {}

  /** Connections not yet closed. */
  get openConnections(): number {
    return this.live.size;
  }

  /** Holds every frame and close, both ways, until thaw(). */
  freeze(): void {
    this.frozen = true;
  }

  /** Delivers what freeze() held, in order, and everything after it. */
  thaw(): void {
    this.frozen = false;
    this.scheduleDrain();
  }

  /**
   * A WebSocket class for `WampClientOptions.WebSocket`: its connections go into this
   * transport's router. `onConnection` hears of each connection the class opens (a client
   * opens one per (re)connection), so a test can drop the ones of one client.
   */
  webSocketClass(onConnection: (connection: MemoryConnection) => void = () => undefined): MemoryWebSocketClass {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class below is this transport's, and `this` inside it is the socket
    const transport = this;
    return class MemoryWebSocket extends MemorySocket {
      constructor(_url: string, protocols: string | string[] = []) {
        super(transport, typeof protocols === 'string' ? [protocols] : protocols);
        onConnection(this);
      }
    };
  }

  /** @internal Queues a delivery behind every earlier one. */
  enqueue(job: () => void): void {
    this.queue.push(job);
    this.scheduleDrain();
  }

  /** @internal */
  track(connection: MemoryConnection, open: boolean): void {
    if (open) this.live.add(connection);
    else this.live.delete(connection);
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.frozen || this.queue.length === 0) return;
    this.drainScheduled = true;
    void Promise.resolve().then(() => {
      this.drainScheduled = false;
      let failure: { readonly error: unknown } | undefined;
      // A job may freeze the transport (a test's observer): the rest then waits for thaw().
      while (!this.frozen && this.queue.length > 0) {
        try {
          this.queue.shift()!();
        } catch (error) {
          // An event handler that throws (as in a browser) is reported, and the others still run.
          failure ??= { error };
        }
      }
      if (this.queue.length === 0) this.observer.idle?.();
      if (failure) throw failure.error;
    });
  }
}

/**
 * The client's WebSocket and the router's PeerConnection of one in-memory connection. The
 * client's serializers still run (frames are the codec's real text or bytes, copied), and the
 * router session is opened through the same hand-over its WebSocket and RawSocket listeners
 * use, so it keeps the router's limits, flow control, shutdown and session handling.
 */
class MemorySocket implements WebSocketLike, MemoryConnection {
  readyState = CONNECTING;
  protocol = '';
  binaryType = 'arraybuffer';
  /** Nothing waits to be written: a frame is handed over whole. */
  readonly bufferedAmount = 0;
  onopen: ((event: never) => unknown) | null = null;
  onclose: ((event: never) => unknown) | null = null;
  onerror: ((event: never) => unknown) | null = null;
  onmessage: ((event: never) => unknown) | null = null;
  codec: Codec | undefined;
  private session: SessionHandlers | undefined;
  /** Frames for the router held while it paused reading from this peer (flow control). */
  private readonly backlog: Array<{ readonly frame: string | Uint8Array; readonly size: number }> = [];
  private readingPaused = false;

  constructor(
    private readonly transport: MemoryTransport,
    offered: readonly string[],
  ) {
    transport.track(this, true);
    transport.enqueue(() => this.open(offered));
  }

  get isOpen(): boolean {
    return this.readyState === OPEN;
  }

  send(data: string | (Uint8Array & { readonly buffer: ArrayBuffer })): void {
    if (this.readyState === CONNECTING) throw new Error('InvalidStateError: the in-memory WebSocket is still connecting');
    if (this.readyState !== OPEN) return;
    // A copy: the sender may reuse its buffer once send() returned, as with a real socket. A text
    // frame is UTF-8 on the wire, where a lone surrogate cannot be: it arrives as U+FFFD.
    const frame = typeof data === 'string' ? data.replace(LONE_SURROGATE, '\uFFFD') : new Uint8Array(data);
    this.transport.enqueue(() => this.toRouter(frame));
  }

  close(code?: number, reason = ''): void {
    if (this.readyState >= CLOSING) return;
    this.readyState = CLOSING;
    // Without a code the close frame has none, which the other side reports as 1005 (RFC 6455 §7.1.5).
    this.transport.enqueue(() => this.finish(code ?? CLOSE_NO_STATUS, reason, true));
  }

  drop(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    // Not queued: a lost connection is lost at once, even while the transport is frozen.
    void Promise.resolve().then(() => this.finish(CLOSE_ABNORMAL, '', false));
  }

  private open(offered: readonly string[]): void {
    if (this.readyState !== CONNECTING) return; // closed before it opened
    const endpoint = this.transport.endpoint;
    if (endpoint.isClosing()) return this.fail(CLOSE_ABNORMAL, 'the router is closing');
    const codec = offered.map((protocol) => endpoint.codecs.find((known) => known.subprotocol === protocol)).find((known) => known !== undefined);
    // No WAMP subprotocol in common: a WAMP session cannot start (§8.3), as over WebSocket.
    if (!codec) return this.fail(1002, 'no supported WAMP subprotocol offered');
    this.codec = codec;
    this.protocol = codec.subprotocol;
    this.readyState = OPEN;
    this.session = endpoint.open(this.peer(codec));
    this.transport.observer.opened?.(this);
    this.dispatch(this.onopen, { type: 'open' });
  }

  /** The router's side of this connection. */
  private peer(codec: Codec): PeerConnection {
    return {
      codec,
      congested: false,
      unsentBytes: 0,
      sendFrame: (frame) => {
        if (this.readyState === CLOSED) return;
        const copy = typeof frame === 'string' ? frame : new Uint8Array(frame);
        this.transport.enqueue(() => this.fromRouter(copy));
      },
      pauseReading: () => {
        this.readingPaused = true;
      },
      resumeReading: () => {
        this.readingPaused = false;
        // A held frame may pause reading again (deliver() reaches pauseReading(), which
        // TypeScript's narrowing cannot see): the rest then waits for the next resume.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
        while (!this.readingPaused && this.backlog.length > 0 && this.readyState !== CLOSED) this.deliver(this.backlog.shift()!);
      },
      close: (code, reason) => this.close(code, reason),
    };
  }

  // A frame sent before either side closed is still delivered (it was queued before the close,
  // as it would be on the wire before the close frame); nothing is delivered once closed.
  private toRouter(frame: string | Uint8Array): void {
    if (this.readyState === CLOSED) return;
    // Over the hard cap the frame is not read at all: the connection closes, as ws closes it.
    const size = typeof frame === 'string' ? utf8Length(frame) : frame.byteLength;
    if (size > this.transport.endpoint.maxFrameSize) return this.finish(CLOSE_TOO_BIG, 'Max payload size exceeded', false);
    if (this.readingPaused) this.backlog.push({ frame, size });
    else this.deliver({ frame, size });
  }

  /** A frame for the router, with its size on the wire (measured once, in toRouter). */
  private deliver({ frame, size }: { readonly frame: string | Uint8Array; readonly size: number }): void {
    this.transport.observer.delivered?.(this, 'to-router', frame);
    this.session?.receive(frame, size);
  }

  private fromRouter(frame: string | Uint8Array): void {
    if (this.readyState === CLOSED) return;
    this.transport.observer.delivered?.(this, 'from-router', frame);
    const data = typeof frame === 'string' ? frame : frame.buffer;
    this.dispatch(this.onmessage, { type: 'message', data });
  }

  /** Refused before opening: an error, then the close, as a browser reports it. */
  private fail(code: number, reason: string): void {
    this.dispatch(this.onerror, { type: 'error', message: reason });
    this.finish(code, reason, false);
  }

  /** Both sides closed: the router session is released and the client told. */
  private finish(code: number, reason: string, wasClean: boolean): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.transport.track(this, false);
    this.backlog.length = 0;
    const session = this.session;
    this.session = undefined;
    session?.closed();
    if (session) this.transport.observer.closed?.(this);
    this.dispatch(this.onclose, { type: 'close', code, reason, wasClean });
  }

  private dispatch(handler: ((event: never) => unknown) | null, event: object): void {
    (handler as ((event: object) => unknown) | null)?.(event);
  }
}
