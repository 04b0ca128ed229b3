import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Codec } from '../../codec/codec.js';
import { watchLiveness } from './liveness.js';
import type { LivenessTimes } from '../core/liveness.js';
import type { PeerConnection } from '../core/peer-connection.js';
import { PeerOutput, type OutputLimits } from '../core/peer-output.js';

// flow-control.spec.ts reads the overhead from here.
export { QUEUED_MESSAGE_OVERHEAD } from '../core/peer-output.js';

export interface SocketHandlers {
  /** A WebSocket with a WAMP subprotocol opened; returns the frame, drain and close handlers for it. */
  opened(connection: PeerConnection): {
    receive(frame: string | Uint8Array, byteLength: number): void;
    /** The connection was congested (over flowHighWaterMark) and has drained below flowLowWaterMark. */
    drained(): void;
    closed(): void;
  };
}

export interface SocketLimits extends LivenessTimes, OutputLimits {
  /** Largest WebSocket message read at all; ws closes the connection (1009) on a larger one. */
  readonly maxFrameSize: number;
}

/**
 * The WebSocket side of the router: subprotocol choice (the first one the client offers that
 * we speak, §8.3), one PeerConnection per socket, frames handed to the session as bytes or text.
 */
export class ServerSocket {
  private readonly server: WebSocketServer;

  /** `codecs`: the serializers the router was given (RouterOptions.serializers), each offered as its subprotocol. */
  constructor(handlers: SocketHandlers, limits: SocketLimits, codecs: readonly Codec[]) {
    const { maxFrameSize } = limits;
    const codecBySubprotocol = (subprotocol: string) => codecs.find((codec) => codec.subprotocol === subprotocol);
    this.server = new WebSocketServer({
      noServer: true,
      // Above maxMessageSize the session answers for the one message; only beyond this hard
      // cap is a frame too big to read at all.
      maxPayload: maxFrameSize,
      handleProtocols: (offered) => {
        for (const protocol of offered) if (codecBySubprotocol(protocol)) return protocol;
        return false;
      },
    });
    this.server.on('connection', (socket: WebSocket) => {
      const codec = codecBySubprotocol(socket.protocol);
      if (!codec) {
        // No WAMP subprotocol in common: a WAMP session cannot start (§8.3).
        socket.close(1002, 'no supported WAMP subprotocol offered');
        return;
      }
      const peer = new WebSocketPeer(socket, codec, limits);
      const session = handlers.opened(peer);
      peer.onDrained = () => session.drained();
      peer.onMessage = (data, isBinary) => {
        const bytes = toBuffer(data);
        // Text frames stay strings (JSON); binary frames become one Uint8Array.
        session.receive(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'), bytes.byteLength);
      };
      socket.on('message', (data: RawData, isBinary: boolean) => peer.received(data, isBinary));
      watchLiveness(socket, limits);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        session.closed();
      };
      // A dropped peer's session goes at once; its socket may take DROP_GRACE_MS to close.
      peer.onDropped = release;
      socket.on('close', () => {
        peer.closed();
        release();
      });
      // Errors (bad frames at the WebSocket level, resets) are followed by close.
      socket.on('error', () => undefined);
    });
  }

  /** Completes an HTTP upgrade request on this WebSocket server; `upgraded` runs once the WebSocket is open. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, upgraded: () => void): void {
    this.server.handleUpgrade(request, socket, head, (ws) => {
      upgraded();
      this.server.emit('connection', ws, request);
    });
  }

  /** Stops accepting and terminates any socket still open. */
  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Policy violation: the close code of a peer dropped for not reading its messages. */
const CLOSE_NOT_READING = 1008;
/** How long a dropped peer's close frame may take before its socket is destroyed. */
const DROP_GRACE_MS = 1000;

/**
 * One WebSocket as a PeerConnection. Its output is accounted by PeerOutput, on what ws really
 * holds for it (`bufferedAmount`: ws's own queue plus the socket's write queue).
 */
class WebSocketPeer implements PeerConnection {
  /** Set by ServerSocket once the session exists. */
  onDrained: () => void = () => undefined;
  onMessage: (data: RawData, isBinary: boolean) => void = () => undefined;
  /** Set by ServerSocket: the session is released when its peer is dropped, not when the socket closes. */
  onDropped: () => void = () => undefined;
  /** Whether pauseReading() is in force. */
  private readingPaused = false;
  /**
   * Messages ws parsed after pauseReading() from data it had already read (at most one socket
   * read, 64 KiB): held until resumeReading(), so a paused peer has nothing more relayed.
   */
  private readonly backlog: Array<{ readonly data: RawData; readonly isBinary: boolean }> = [];
  private dropTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly output: PeerOutput;

  constructor(
    private readonly socket: WebSocket,
    readonly codec: Codec,
    limits: OutputLimits,
  ) {
    this.output = new PeerOutput(limits, () => socket.bufferedAmount, {
      drained: () => this.onDrained(),
      notReading: (reason) => this.drop(reason),
    });
  }

  get congested(): boolean {
    return this.output.congested;
  }

  get unsentBytes(): number {
    return this.socket.bufferedAmount;
  }

  sendFrame(frame: string | Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A string's length may undercount its UTF-8 bytes; bufferedAmount counts them exactly once
    // sent. Whether the write reports back counts a string at its largest UTF-8 size.
    const largest = typeof frame === 'string' ? 3 * frame.length : frame.length;
    this.output.write(frame.length, largest, (written) => this.socket.send(frame, { binary: this.codec.binary }, written));
  }

  /** A message from the peer: handled now, or held while reading is paused. */
  received(data: RawData, isBinary: boolean): void {
    if (this.readingPaused) this.backlog.push({ data, isBinary });
    else this.onMessage(data, isBinary);
  }

  pauseReading(): void {
    this.readingPaused = true;
    this.socket.pause();
  }

  resumeReading(): void {
    this.readingPaused = false;
    // A held message may pause reading again: the rest then waits for the next resume.
    // (onMessage() sets readingPaused through pauseReading(), which TypeScript's narrowing cannot see.)
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- see above */
    while (!this.readingPaused && this.backlog.length > 0) {
      const { data, isBinary } = this.backlog.shift()!;
      if (this.socket.readyState !== this.socket.OPEN) break;
      this.onMessage(data, isBinary);
    }
    if (!this.readingPaused) this.socket.resume();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  /** The socket closed: no timer of ours may outlive it. */
  closed(): void {
    this.backlog.length = 0;
    this.output.stop();
    clearTimeout(this.dropTimer);
  }

  /**
   * Drops a peer that does not read: a close frame with the reason (read only if the peer
   * reads again), nothing more sent, and the socket destroyed after DROP_GRACE_MS at the latest,
   * which frees its output and releases its session.
   */
  private drop(reason: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.output.dropped();
    this.socket.close(CLOSE_NOT_READING, reason);
    this.dropTimer = setTimeout(() => this.socket.terminate(), DROP_GRACE_MS);
    // Released once the frame being handled is done (a send may be mid-way through a fan-out).
    queueMicrotask(() => this.onDropped());
  }
}

/** One Buffer for the message, whatever shape ws delivered it in; its length is the size on the wire. */
function toBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}
