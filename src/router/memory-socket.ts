import type { Codec } from '../codec/codec.js';
import type { WebSocketLike } from '../transport/websocket.js';
import type { PeerConnection } from './peer-connection.js';
import type { RawSocketHandlers } from './rawsocket-server.js';
import type { Router } from './router.js';

/** The router's session hand-over, as its listeners use it (one per connection). */
type SessionHandlers = ReturnType<RawSocketHandlers['opened']>;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** A WebSocket class whose connections go straight into `router`, as `WampClientOptions.WebSocket` takes it. */
export type MemoryWebSocketClass = new (url: string, protocols?: string | string[]) => WebSocketLike & { readonly bufferedAmount: number };

/** Connections of every memoryWebSocket class not yet closed: a test's check that nothing is left open. */
let openConnections = 0;

/** In-memory connections not yet closed (for tests: 0 once every client and router closed). */
export function openMemorySockets(): number {
  return openConnections;
}

/**
 * A WebSocket class that connects to `router` with no socket at all: the client's serializers
 * still run (frames are the codec's real text or bytes, copied), every frame and close is
 * delivered in a later microtask (never re-entrantly), and the router session is opened through
 * the same hand-over its WebSocket and RawSocket listeners use, so it keeps the router's limits,
 * shutdown and session handling. The URL is not used.
 */
export function memoryWebSocket(router: Router): MemoryWebSocketClass {
  // The router's connection hand-over (private to it: what its RawSocket listener is given).
  const entry = router['rawSocket'];
  const isClosing = () => router['closing'] !== undefined;

  return class MemoryWebSocket implements WebSocketLike {
    readyState = CONNECTING;
    protocol = '';
    binaryType = 'arraybuffer';
    /** Nothing waits to be written: a frame is handed over whole. */
    readonly bufferedAmount = 0;
    onopen: ((event: never) => unknown) | null = null;
    onclose: ((event: never) => unknown) | null = null;
    onerror: ((event: never) => unknown) | null = null;
    onmessage: ((event: never) => unknown) | null = null;
    private session: SessionHandlers | undefined;
    /** Frames for the router held while it paused reading from this peer (flow control). */
    private readonly backlog: Array<string | Uint8Array> = [];
    private readingPaused = false;

    constructor(_url: string, protocols: string | string[] = []) {
      const offered = typeof protocols === 'string' ? [protocols] : protocols;
      openConnections++;
      queueMicrotask(() => this.open(offered));
    }

    send(data: string | (Uint8Array & { readonly buffer: ArrayBuffer })): void {
      if (this.readyState === CONNECTING) throw new Error('InvalidStateError: the in-memory WebSocket is still connecting');
      if (this.readyState !== OPEN) return;
      // A copy: the sender may reuse its buffer once send() returned, as with a real socket.
      const frame = typeof data === 'string' ? data : new Uint8Array(data);
      queueMicrotask(() => this.toRouter(frame));
    }

    close(code = 1000, reason = ''): void {
      if (this.readyState >= CLOSING) return;
      this.readyState = CLOSING;
      queueMicrotask(() => this.finish(code, reason));
    }

    private open(offered: readonly string[]): void {
      if (this.readyState !== CONNECTING) return; // closed before it opened
      if (isClosing()) {
        this.fail(1006, 'the router is closing');
        return;
      }
      const codec = offered.map((protocol) => entry.codecs.find((known) => known.subprotocol === protocol)).find((known) => known !== undefined);
      if (!codec) {
        // No WAMP subprotocol in common: a WAMP session cannot start (§8.3), as over WebSocket.
        this.fail(1002, 'no supported WAMP subprotocol offered');
        return;
      }
      this.protocol = codec.subprotocol;
      this.readyState = OPEN;
      this.session = entry.handlers.opened(this.peer(codec), entry.limits.maxMessageSize);
      this.dispatch(this.onopen, { type: 'open' });
    }

    /** The router's side of this connection. */
    private peer(codec: Codec): PeerConnection {
      return {
        codec,
        congested: false,
        unsentBytes: 0,
        sendFrame: (frame) => {
          if (this.readyState !== OPEN) return;
          const data = typeof frame === 'string' ? frame : new Uint8Array(frame).buffer;
          queueMicrotask(() => {
            if (this.readyState === OPEN) this.dispatch(this.onmessage, { type: 'message', data });
          });
        },
        pauseReading: () => {
          this.readingPaused = true;
        },
        resumeReading: () => {
          this.readingPaused = false;
          // A held frame may pause reading again (deliver() reaches pauseReading(), which
          // TypeScript's narrowing cannot see): the rest then waits for the next resume.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
          while (!this.readingPaused && this.backlog.length > 0 && this.readyState === OPEN) this.deliver(this.backlog.shift()!);
        },
        close: (code, reason) => this.close(code, reason),
      };
    }

    private toRouter(frame: string | Uint8Array): void {
      if (this.readyState !== OPEN) return;
      if (this.readingPaused) this.backlog.push(frame);
      else this.deliver(frame);
    }

    private deliver(frame: string | Uint8Array): void {
      this.session?.receive(frame, typeof frame === 'string' ? new TextEncoder().encode(frame).byteLength : frame.byteLength);
    }

    /** Refused before opening: an error, then the close, as a browser reports it. */
    private fail(code: number, reason: string): void {
      this.dispatch(this.onerror, { type: 'error', message: reason });
      this.finish(code, reason);
    }

    /** Both sides closed: the router session is released and the client told. */
    private finish(code: number, reason: string): void {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      openConnections--;
      this.backlog.length = 0;
      const session = this.session;
      this.session = undefined;
      session?.closed();
      this.dispatch(this.onclose, { type: 'close', code, reason, wasClean: true });
    }

    private dispatch(handler: ((event: never) => unknown) | null, event: object): void {
      (handler as ((event: object) => unknown) | null)?.(event);
    }
  };
}
