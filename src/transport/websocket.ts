import WebSocket from 'isomorphic-ws';
import { codecByName, type Codec, type SerializerName } from '../codec/index.js';
import { WampConnectionError } from '../protocol/errors.js';
import type { Transport, TransportListener } from './transport.js';

/** The WebSocket class to use: the global one in browsers, `ws` in Node, or one supplied. */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocket;

export interface WebSocketTransportOptions {
  readonly url: string;
  /** Serializers in preference order; each is offered as its `wamp.2.*` subprotocol. */
  readonly serializers: readonly SerializerName[];
  readonly WebSocket?: WebSocketConstructor;
  /** Give up opening after this many ms. */
  readonly connectTimeout?: number;
}

interface MessageEventLike { readonly data: unknown }
interface NodeWebSocketEvents {
  on(event: 'message', listener: (data: Uint8Array & { toString(): string }, isBinary: boolean) => void): void;
}
interface CloseEventLike { readonly code: number; readonly reason: string }

class WebSocketTransport implements Transport {
  private listener: TransportListener | undefined;
  private closed = false;
  /** Whether send() has corked the TCP socket until the end of the current microtask checkpoint. */
  private corked = false;
  /** Node's TCP socket under `ws` (a private field of ws, absent in browsers, which batch on their own). */
  private readonly tcp: { cork(): void; uncork(): void } | undefined;

  constructor(private readonly socket: WebSocket, readonly codec: Codec) {
    const tcp = (socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown } })._socket;
    this.tcp = typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function' ? tcp as { cork(): void; uncork(): void } : undefined;
    const nodeSocket = socket as unknown as Partial<NodeWebSocketEvents>;
    if (typeof nodeSocket.on === 'function') {
      // Node's ws: its own 'message' event hands over the Buffer without building a
      // MessageEvent per frame (the onmessage path does), which is measurable per result.
      nodeSocket.on('message', (data, isBinary) => this.receive(isBinary ? data : data.toString()));
    } else {
      socket.onmessage = (event: MessageEventLike) => {
        const frame = toFrame(event.data);
        if (frame === undefined) this.listener?.onDecodeError(new TypeError('unsupported WebSocket frame type'));
        else this.receive(frame);
      };
    }
    socket.onclose = (event: CloseEventLike) => this.closedBySocket(event.code, event.reason);
    // An error is always followed by close; the close carries what the session needs.
    socket.onerror = () => undefined;
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === WebSocket.OPEN;
  }

  setListener(listener: TransportListener): void {
    this.listener = listener;
  }

  send(message: readonly unknown[]): void {
    const frame = this.codec.encode(message);
    if (!this.isOpen) return;
    // Node (ws): keep the TCP socket corked until this job's microtasks are done, so messages
    // sent in one burst (a window of calls, a stream of YIELDs) leave in one writev instead of
    // one syscall each. Nothing waits longer than the current microtask checkpoint.
    const tcp = this.tcp;
    if (tcp && !this.corked) {
      this.corked = true;
      tcp.cork();
      queueMicrotask(() => {
        this.corked = false;
        tcp.uncork();
      });
    }
    this.socket.send(frame);
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.close();
    }
  }

  private receive(frame: string | Uint8Array): void {
    if (this.closed) return;
    let decoded: unknown;
    try {
      decoded = this.codec.decode(frame);
    } catch (error) {
      this.listener?.onDecodeError(error as Error);
      return;
    }
    this.listener?.onMessage(decoded);
  }

  private closedBySocket(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.listener?.onClose(code, reason);
  }
}

/** What browsers (and ws's onmessage shim) hand over, as a frame the codec reads. */
function toFrame(data: unknown): string | Uint8Array | undefined {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return concat(data as Uint8Array[]); // ws fragments
  return undefined;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) { out.set(chunk, offset); offset += chunk.length; }
  return out;
}

/**
 * Opens a WebSocket offering the serializers' subprotocols in preference order and resolves
 * once it is open with the serializer the router chose; fails with WampConnectionError when
 * the connection cannot be made or the router chose no subprotocol (or one not offered).
 */
export function openWebSocket(options: WebSocketTransportOptions): Promise<Transport> {
  const codecs = options.serializers.map(codecByName);
  if (codecs.length === 0) return Promise.reject(new TypeError('at least one serializer is required'));
  const offered = codecs.map((codec) => codec.subprotocol);
  const Impl = options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor);

  return new Promise<Transport>((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new Impl(options.url, offered);
    } catch (error) {
      reject(new WampConnectionError(`cannot open WebSocket to ${options.url}: ${(error as Error).message}`, undefined, error));
      return;
    }
    // Browsers default to Blob; we decode from bytes.
    if ((socket.binaryType as string) === 'blob') socket.binaryType = 'arraybuffer';
    let settled = false;
    const timer = options.connectTimeout
      ? setTimeout(() => fail(new WampConnectionError(`connecting to ${options.url} timed out after ${options.connectTimeout} ms`)), options.connectTimeout)
      : undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.onopen = socket.onclose = socket.onerror = null;
      try { socket.close(); } catch { /* already closing */ }
      reject(error);
    };
    let lastError: unknown;
    socket.onerror = (event: { error?: unknown; message?: string }) => { lastError = event.error ?? event.message; };
    socket.onclose = (event: CloseEventLike) => {
      const why = lastError instanceof Error ? lastError.message : event.reason || `close code ${event.code}`;
      fail(new WampConnectionError(`cannot connect to ${options.url}: ${why}`, event.code, lastError));
    };
    socket.onopen = () => {
      if (settled) return;
      const codec = codecs.find((candidate) => candidate.subprotocol === socket.protocol);
      if (!codec) {
        fail(new WampConnectionError(socket.protocol
          ? `router chose subprotocol "${socket.protocol}", which was not offered (${offered.join(', ')})`
          : `router chose no WebSocket subprotocol (offered ${offered.join(', ')})`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(new WebSocketTransport(socket, codec));
    };
  });
}
