import WebSocketImpl from 'isomorphic-ws';
import { asSerializationError, type Codec } from '../codec/codec.js';
import { utf8Length } from '../codec/utf8-length.js';
import { PAYLOAD_SIZE_EXCEEDED } from '../protocol/error-uris.js';
import { WampConnectionError, WampError } from '../protocol/errors.js';
import { debugTeller, type DebugListener } from './debug.js';
import { LivenessCheck, type LivenessOptions } from './liveness.js';
import type { Transport, TransportListener } from './transport.js';

interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}
interface MessageEventLike {
  readonly data: unknown;
}
interface ErrorEventLike {
  readonly error?: unknown;
  readonly message?: string;
}

/**
 * The WebSocket rxwamp needs, described by shape so that the browser's WebSocket, `ws` and
 * `isomorphic-ws` all fit without their type packages. Handlers take `never` so that each
 * implementation's own event types are accepted.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed, as the browser's WebSocket. */
  readonly readyState: number;
  /** The subprotocol the server chose (e.g. `wamp.2.json`), once open. */
  readonly protocol: string;
  /** rxwamp changes a browser's `'blob'` to `'arraybuffer'`, so binary frames arrive as bytes. */
  binaryType: string;
  /** Set by rxwamp: called once the connection is open. */
  onopen: ((event: never) => unknown) | null;
  /** Set by rxwamp: called with `{ code, reason }` once the connection closed. */
  onclose: ((event: never) => unknown) | null;
  /** Set by rxwamp: called when the connection fails (a close follows). */
  onerror: ((event: never) => unknown) | null;
  /** Set by rxwamp: called with `{ data }` for each message received. */
  onmessage: ((event: never) => unknown) | null;
  /**
   * Sends one message: text for JSON, bytes for binary serializers. The bytes are typed as a view
   * of a plain ArrayBuffer, as a browser's `send` takes them since TypeScript 5.7's lib.dom
   * (`ArrayBufferView<ArrayBuffer>`), so that the browser's WebSocket class fits this interface
   * under TypeScript 7 too.
   */
  send(data: string | (Uint8Array & { readonly buffer: ArrayBuffer })): void;
  /** Starts the closing handshake with a WebSocket close code and reason. */
  close(code?: number, reason?: string): void;
}

/** The WebSocket class to use: the global one in browsers, `ws` in Node, or one supplied. */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

const OPEN = 1;

/** The client's options the WebSocket needs (its ResolvedOptions fit as they are), and the liveness checks'. */
export interface WebSocketTransportOptions extends LivenessOptions {
  readonly url: string;
  /** Serializers in preference order; each is offered as its `wamp.2.*` subprotocol. */
  readonly serializers: readonly Codec[];
  readonly WebSocket?: WebSocketConstructor | undefined;
  /** Told about every message sent and received (the client's `debug` option). */
  readonly debug?: DebugListener | undefined;
  /** Give up opening after this many ms (0: no limit). */
  readonly connectTimeout: number;
  /** Largest message sent or (where the WebSocket can enforce it) received, in bytes. */
  readonly maxMessageSize: number;
  /** Node (`ws`): TLS options for wss:// (ca, cert, key, rejectUnauthorized, servername). */
  readonly tls?: object;
  /** Aborting it stops an opening in progress, which then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Node's ws extras, absent in browsers. */
interface NodeWebSocketExtras {
  on(event: 'message', listener: (data: Uint8Array & { toString(): string }, isBinary: boolean) => void): void;
  on(event: 'error', listener: () => void): void;
  terminate(): void;
  _socket?: { cork?: unknown; uncork?: unknown; once?: unknown; removeListener?: unknown };
}

/** Node's TCP socket: 'drain' fires when its write buffer has been handed to the kernel. */
interface DrainingSocket {
  once(event: 'drain' | 'close', listener: () => void): void;
  removeListener(event: 'drain' | 'close', listener: () => void): void;
}

/** How often bufferedAmount is looked at again while over the mark (browsers have no drain event). */
const WRITABLE_POLL_MS = 10;
/** The most send() holds in a corked socket before it writes them (see send). */
const CORK_MAX_MESSAGES = 64;
const CORK_MAX_BYTES = 64 * 1024;
/**
 * The corked socket is let go in a `then` on this settled promise, which runs where
 * queueMicrotask would: Node's queueMicrotask wraps every callback in an AsyncResource, which
 * cost about 1.5 µs per call made one at a time (bench/PROFILE.md §6).
 */
const SETTLED = Promise.resolve();

class WebSocketTransport implements Transport {
  #listener: TransportListener | undefined;
  #closed = false;
  /** Messages and bytes send() has held in the corked TCP socket since it last let them go. */
  #corkedMessages = 0;
  #corkedBytes = 0;
  /** Node's TCP socket under `ws` (a private field of ws, absent in browsers, which batch on their own). */
  readonly #tcp: { cork(): void; uncork(): void } | undefined;
  /** uncork, bound once: send() schedules it once per burst. */
  readonly #uncorkAfterJob = (): void => this.#uncork();
  readonly #node: Partial<NodeWebSocketExtras>;
  readonly #liveness: LivenessCheck;
  /** The `debug` option's listener, when it is set. */
  readonly #debug: DebugListener | undefined;

  readonly #socket: WebSocketLike;
  readonly #maxMessageSize: number;

  constructor(
    socket: WebSocketLike,
    readonly codec: Codec,
    options: WebSocketTransportOptions,
  ) {
    this.#socket = socket;
    this.#maxMessageSize = options.maxMessageSize;
    this.#node = socket as unknown as Partial<NodeWebSocketExtras>;
    const tcp = this.#node._socket;
    this.#tcp = typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as { cork(): void; uncork(): void }) : undefined;
    if (typeof this.#node.on === 'function') {
      // Node's ws: its own 'message' event hands over the Buffer without building a
      // MessageEvent per frame (the onmessage path does), which is measurable per result.
      this.#node.on('message', (data, isBinary) => this.#receive(isBinary ? data : data.toString()));
    } else {
      socket.onmessage = (event: MessageEventLike) => {
        const frame = toFrame(event.data);
        if (frame === undefined) this.#listener?.onDecodeError(new TypeError('unsupported WebSocket frame type'));
        else this.#receive(frame);
      };
    }
    // An error is always followed by close; its text (e.g. ws's "Max payload size exceeded")
    // becomes the close reason when the close itself has none. The handler stays attached for
    // the socket's whole life: ws throws an 'error' that has no listener.
    let lastError = '';
    socket.onerror = (event: ErrorEventLike) => {
      lastError = event.error instanceof Error ? event.error.message : typeof event.message === 'string' ? event.message : '';
    };
    socket.onclose = (event: CloseEventLike) => this.#closedBySocket(event.code, event.reason || lastError);
    this.#liveness = new LivenessCheck(socket, options, (reason) => this.abort(reason));
    this.#debug = options.debug && debugTeller(options.debug);
  }

  get isOpen(): boolean {
    return !this.#closed && this.#socket.readyState === OPEN;
  }

  get bufferedAmount(): number {
    return (this.#socket as unknown as { bufferedAmount?: number }).bufferedAmount ?? 0;
  }

  whenWritable(highWaterMark: number): Promise<void> {
    if (this.#closed || this.bufferedAmount <= highWaterMark) return Promise.resolve();
    const tcp = this.#node._socket as Partial<DrainingSocket> | undefined;
    return new Promise<void>((resolve) => {
      const check = () => {
        if (this.#closed || this.bufferedAmount <= highWaterMark) resolve();
        else wait();
      };
      const wait = () => {
        // Node: the TCP socket says when its buffer was handed to the kernel; the timer is the
        // browser's way (no such event) and Node's safety net, so nothing waits on a lost event.
        const draining = typeof tcp?.once === 'function' && typeof tcp.removeListener === 'function' ? (tcp as DrainingSocket) : undefined;
        const onEvent = () => {
          clearTimeout(timer);
          draining?.removeListener('drain', onEvent);
          draining?.removeListener('close', onEvent);
          check();
        };
        const timer = setTimeout(onEvent, WRITABLE_POLL_MS);
        draining?.once('drain', onEvent);
        draining?.once('close', onEvent);
      };
      wait();
    });
  }

  setListener(listener: TransportListener): void {
    this.#listener = listener;
  }

  send(message: readonly unknown[]): void {
    const frame = encode(this.codec, message);
    // A string is measured only when it could be over the limit (a code unit is at most 3 bytes).
    const size = typeof frame !== 'string' ? frame.byteLength : frame.length * 3 <= this.#maxMessageSize ? frame.length : utf8Length(frame);
    if (size > this.#maxMessageSize) {
      throw new WampError(PAYLOAD_SIZE_EXCEEDED, {
        message: `${PAYLOAD_SIZE_EXCEEDED}: the message is ${size} bytes, over maxMessageSize ${this.#maxMessageSize}`,
      });
    }
    if (!this.isOpen) throw new WampConnectionError('lost', 'the connection is no longer open');
    // Node (ws): keep the TCP socket corked until this job's microtasks are done, so messages
    // sent in one burst (a window of calls, a stream of YIELDs) leave in one writev instead of
    // one syscall each. Nothing waits longer than the current microtask checkpoint, and a long
    // burst (10,000 calls in one loop) leaves in writevs of CORK_MAX_MESSAGES or CORK_MAX_BYTES:
    // beyond that batching saves nothing, and every held frame is memory the GC has to copy.
    // (Corking only from a job's second message on measured no faster with one call in flight,
    // and 5 % slower with 1,000: bursts then took two syscalls.)
    const tcp = this.#tcp;
    if (tcp) {
      if (this.#corkedMessages === 0) {
        tcp.cork();
        void SETTLED.then(this.#uncorkAfterJob);
      } else if (this.#corkedMessages >= CORK_MAX_MESSAGES || this.#corkedBytes >= CORK_MAX_BYTES) {
        this.#uncork(); // writes what is held; corked again for the rest of the burst
        tcp.cork();
      }
      this.#corkedMessages++;
      this.#corkedBytes += size;
    }
    // The serializers write into plain ArrayBuffers (never a SharedArrayBuffer).
    this.#socket.send(frame as string | (Uint8Array & { readonly buffer: ArrayBuffer }));
    this.#debug?.('out', message);
  }

  #uncork(): void {
    this.#corkedMessages = 0;
    this.#corkedBytes = 0;
    this.#tcp?.uncork();
  }

  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    this.#liveness.stop();
    try {
      this.#socket.close(code, reason);
    } catch {
      this.abort('the WebSocket refused to close');
    }
  }

  abort(reason: string): void {
    if (this.#closed) return;
    this.#liveness.stop();
    // ws: terminate destroys the TCP socket at once; browsers only have close(), whose
    // handshake we do not wait for: the session is told now either way.
    try {
      if (typeof this.#node.terminate === 'function') this.#node.terminate();
      else this.#socket.close(4000, reason.slice(0, 120));
    } catch {
      /* already gone */
    }
    this.#closedBySocket(1006, reason);
  }

  #receive(frame: string | Uint8Array): void {
    if (this.#closed) return;
    this.#liveness.heard();
    let decoded: unknown;
    try {
      decoded = this.codec.decode(frame);
    } catch (error) {
      this.#listener?.onDecodeError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // A frame that is not a list breaks the protocol; the debug listener sees it wrapped in one.
    this.#debug?.('in', Array.isArray(decoded) ? decoded : [decoded]);
    this.#listener?.onMessage(decoded);
  }

  #closedBySocket(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#liveness.stop();
    this.#listener?.onClose(code, reason);
  }
}

function ignore(): void {
  /* see the onerror comment */
}

/** Encodes, turning whatever a codec or a hostile value throws into a SerializationError. */
function encode(codec: Codec, message: readonly unknown[]): string | Uint8Array {
  try {
    return codec.encode(message);
  } catch (error) {
    throw asSerializationError(error);
  }
}

/** What browsers (and ws's onmessage shim) hand over, as a frame the codec reads. */
function toFrame(data: unknown): string | Uint8Array | undefined {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return concat(data as Uint8Array[]); // ws fragments
  return undefined;
}

/**
 * ws (Node) reports an HTTP answer other than 101 to the upgrade as "Unexpected server
 * response: 404": said as what it means, and a 404 as the wrong path it most often is.
 * Browsers do not tell a page the status, so there the reason stays what the WebSocket gave.
 */
function upgradeRefusal(url: string, why: string): string {
  const status = /^Unexpected server response: (\d+)$/.exec(why)?.[1];
  return status
    ? `HTTP ${status} to the WebSocket upgrade${status === '404' ? `: is ${new URL(url).pathname} the router's WebSocket path? (rxwamp-router's is /ws)` : ''}`
    : why;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Opens a WebSocket offering the serializers' subprotocols in preference order and resolves
 * once it is open with the serializer the router chose. Rejects with WampConnectionError when
 * the connection cannot be made (`connect-failed`), does not open in time (`timeout`) or the
 * router chose no subprotocol (or one not offered); with the signal's reason when aborted.
 * Whatever happens, the socket is either handed over or closed, with an error listener kept.
 */
export function openWebSocket(options: WebSocketTransportOptions): Promise<Transport> {
  const codecs = options.serializers; // never empty: resolveOptions refuses an empty list
  const offered = codecs.map((codec) => codec.subprotocol);
  // ws's constructor (Node) takes a third argument, its options; a browser's ignores it.
  const Impl = (options.WebSocket ?? WebSocketImpl) as new (url: string, protocols: string[], nodeOptions: object) => WebSocketLike;
  const { url, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise<Transport>((resolve, reject) => {
    let socket: WebSocketLike;
    try {
      // The third argument is ws's (Node): cap what a router may send, and TLS settings. Browsers ignore it.
      socket = new Impl(url, offered, { ...options.tls, maxPayload: options.maxMessageSize });
    } catch (error) {
      reject(
        new WampConnectionError('connect-failed', `cannot open a WebSocket to ${url}: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        }),
      );
      return;
    }
    // Browsers default to Blob; we decode from bytes.
    if (socket.binaryType === 'blob') socket.binaryType = 'arraybuffer';
    let settled = false;
    const timer =
      options.connectTimeout > 0
        ? setTimeout(
            () => fail(new WampConnectionError('timeout', `connecting to ${url} timed out after ${options.connectTimeout} ms`)),
            options.connectTimeout,
          )
        : undefined;
    const onAbort = () => fail(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort);
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error) => {
      if (settled) return;
      finish();
      socket.onopen = socket.onclose = null;
      socket.onerror = ignore; // closing a connecting ws emits 'error': it must have a listener
      const node = socket as unknown as Partial<NodeWebSocketExtras>;
      try {
        if (typeof node.terminate === 'function') node.terminate();
        else socket.close();
      } catch {
        /* already closing */
      }
      reject(error);
    };
    let lastError: unknown;
    socket.onerror = (event: ErrorEventLike) => {
      lastError = event.error ?? event.message;
    };
    socket.onclose = (event: CloseEventLike) => {
      const why = lastError instanceof Error ? upgradeRefusal(url, lastError.message) : event.reason || `close code ${event.code}`;
      fail(new WampConnectionError('connect-failed', `cannot connect to ${url}: ${why}`, { closeCode: event.code, cause: lastError }));
    };
    socket.onopen = () => {
      if (settled) return;
      const codec = codecs.find((candidate) => candidate.subprotocol === socket.protocol);
      if (!codec) {
        fail(
          new WampConnectionError(
            'connect-failed',
            socket.protocol
              ? `router chose subprotocol "${socket.protocol}", which was not offered (${offered.join(', ')})`
              : `router chose no WebSocket subprotocol (offered ${offered.join(', ')})`,
          ),
        );
        return;
      }
      finish();
      resolve(new WebSocketTransport(socket, codec, options));
    };
  });
}
