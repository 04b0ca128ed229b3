import type { Socket } from 'node:net';
import type { Codec } from '../../codec/codec.js';
import { ErrorUri, MessageType } from '../../protocol/index.js';
import { encodeFrameHeader, FRAME_HEADER_LENGTH, FrameDecoder, FrameType, RawSocketFramingError } from '../../transport/rawsocket-framing.js';
import { LivenessWatch, type LivenessTimes } from '../core/liveness.js';
import type { PeerConnection } from '../core/peer-connection.js';
import { PeerOutput, type OutputLimits } from '../core/peer-output.js';

/**
 * Which RawSocket peers the router PINGs (with RouterOptions.pingInterval and pongTimeout):
 * - 'if-peer-pings' (default): a peer once it has sent a PING of its own, which shows that it
 *   answers them. Autobahn|Python (asyncio and Twisted, up to at least 22.x) and Crossbar.io
 *   cannot answer a PING: they drop the connection on one (autobahn-python#453, crossbar#381).
 * - 'always': every peer, from the handshake on.
 */
export type RawSocketPingPolicy = 'if-peer-pings' | 'always';

export interface RawSocketPeerLimits extends OutputLimits, LivenessTimes {
  /** Largest payload the peer may send (the limit the router announced): larger ends the connection. */
  readonly receiveLimit: number;
  /** Largest payload the router may send the peer (the peer's announced limit, at most 2^24 − 1). */
  readonly sendLimit: number;
  readonly ping: RawSocketPingPolicy;
}

/** How long a connection the router ends may take to close before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * One WAMP-RawSocket connection (after its handshake) as a PeerConnection: frames in and out,
 * PING answered by PONG, the router's own PINGs (see RawSocketPingPolicy), and the same output
 * limits and flow control as a WebSocket (PeerOutput), on what the socket really holds
 * (`writableLength`).
 *
 * RawSocket has no close frame: the router tells a peer why it ends a connection with an ABORT
 * (the session's own, or wamp.error.protocol_violation for broken framing), then ends the TCP
 * connection.
 */
export class RawSocketPeer implements PeerConnection {
  /** Set by the listener once the session exists. */
  onMessage: (payload: Uint8Array) => void = () => undefined;
  onDrained: () => void = () => undefined;

  private readonly decoder: FrameDecoder;
  /** pauseReading() is in force: frames stay in the decoder until resumeReading(). */
  private readingPaused = false;
  /** The router ended or dropped the connection: nothing more is read or sent. */
  private ending = false;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly output: PeerOutput;
  private readonly liveness: LivenessWatch;
  private pingsSent = 0;

  constructor(
    private readonly socket: Socket,
    readonly codec: Codec,
    private readonly limits: RawSocketPeerLimits,
  ) {
    this.decoder = new FrameDecoder(limits.receiveLimit);
    // RawSocket has no close frame to carry the reason: a peer that does not read is just dropped.
    this.output = new PeerOutput(limits, () => socket.writableLength, { drained: () => this.onDrained(), notReading: () => this.drop() });
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.once('close', () => this.closed());
    this.liveness = new LivenessWatch(limits, {
      ping: () => {
        if (this.ending) return;
        const payload = new Uint8Array(4);
        new DataView(payload.buffer).setUint32(0, ++this.pingsSent >>> 0);
        this.write(FrameType.ping, payload, payload.byteLength);
      },
      // See LivenessProbe.excused: a paused reader or our own queued output is not the peer's fault.
      excused: () => this.readingPaused || this.socket.writableLength > 0,
      lost: () => this.drop(),
    });
    if (limits.ping === 'always') this.startPinging();
  }

  get congested(): boolean {
    return this.output.congested;
  }

  get unsentBytes(): number {
    return this.socket.writableLength;
  }

  sendFrame(frame: string | Uint8Array): void {
    const length = byteLengthOf(frame);
    // The session keeps to sendLimit (its maxMessageSize is at most that); this only makes sure
    // nothing over the peer's announced limit ever reaches the wire.
    if (length <= this.limits.sendLimit) this.write(FrameType.message, frame, length);
  }

  /**
   * Writes one frame under the output limits. PONGs count too: a peer that PINGs with large
   * payloads and does not read the answers is dropped like any peer that does not read.
   */
  private write(type: FrameType, payload: string | Uint8Array, length: number): void {
    if (this.ending || this.socket.destroyed) return;
    const out = frameBuffer(type, payload, length);
    this.output.write(out.byteLength, out.byteLength, (written) => this.socket.write(out, written));
  }

  pauseReading(): void {
    this.readingPaused = true;
    this.socket.pause();
  }

  resumeReading(): void {
    this.readingPaused = false;
    // A frame held in the decoder may pause reading again: the rest then waits for the next resume.
    this.deliver();
    if (this.reading()) this.socket.resume();
  }

  /** Whether frames are handed on: not paused by flow control, and not ended by the router. */
  private reading(): boolean {
    return !this.readingPaused && !this.ending;
  }

  /** The session is done with the connection (after its ABORT or GOODBYE, if any): end it once that is written. */
  close(_code: number, _reason: string): void {
    this.end();
  }

  /** Octets from the peer (the socket's chunks, and what arrived with the handshake). */
  received(chunk: Uint8Array): void {
    // After the router ended the connection, what still arrives is read and discarded, so the
    // peer is not blocked writing and can see our ABORT and FIN.
    if (this.ending) return;
    this.decoder.push(chunk);
    this.deliver();
  }

  /** Hands every whole frame on, until there is none or reading is paused. */
  private deliver(): void {
    while (this.reading()) {
      let frame;
      try {
        frame = this.decoder.next();
      } catch (error) {
        return this.refuseFraming(error as RawSocketFramingError);
      }
      if (!frame) return;
      // Any frame is a sign of life, as any message is on WebSocket.
      this.liveness.heard();
      if (frame.type === FrameType.message) this.onMessage(frame.payload);
      else if (frame.type === FrameType.ping) this.answerPing(frame.payload);
    }
  }

  /** PING: one PONG with the identical payload, at once (§8.4). The peer answers PINGs too, so it may be pinged. */
  private answerPing(payload: Uint8Array): void {
    if (payload.byteLength > this.limits.sendLimit) {
      return this.abortConnection(
        `a PING of ${payload.byteLength} octets cannot be answered: the PONG would be over the ${this.limits.sendLimit} octets announced in the handshake`,
      );
    }
    this.write(FrameType.pong, payload, payload.byteLength);
    if (this.limits.ping === 'if-peer-pings') this.startPinging();
  }

  /** Broken framing (oversize, reserved bits or type) ends the connection, with an ABORT saying why. */
  private refuseFraming(error: RawSocketFramingError): void {
    this.abortConnection(error.message);
  }

  /** ABORT wamp.error.protocol_violation with `message`, then the end of the connection. */
  private abortConnection(message: string): void {
    if (this.ending) return;
    try {
      const abort = this.codec.encode([MessageType.ABORT, { message }, ErrorUri.protocolViolation]);
      const length = byteLengthOf(abort);
      if (length <= this.limits.sendLimit) this.socket.write(frameBuffer(FrameType.message, abort, length));
    } catch {
      // A codec that cannot encode an ABORT: the connection ends without one.
    }
    this.end();
  }

  /** Ends the connection after what is queued (FIN); destroys it if it is not closed within CLOSE_GRACE_MS. */
  private end(): void {
    if (this.ending) return;
    this.ending = true;
    this.stopTimers();
    this.socket.resume();
    this.socket.end();
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
  }

  /**
   * Drops a peer that does not read: its socket is destroyed at once, which frees its output;
   * the 'close' that follows (on a later tick, after the frame being handled) releases its
   * session. It could not read a reason anyway.
   */
  private drop(): void {
    if (this.ending) return;
    this.ending = true;
    this.output.dropped();
    this.stopTimers();
    this.socket.destroy();
  }

  /** Liveness as on WebSocket (LivenessWatch): a PING pingIntervalMs after the last sign of life; no frame within pongTimeoutMs drops the peer. */
  private startPinging(): void {
    if (!this.ending) this.liveness.start();
  }

  private stopTimers(): void {
    this.output.stop();
    this.liveness.stop();
  }

  /** The socket closed: no timer of ours may outlive it. */
  private closed(): void {
    this.ending = true;
    this.stopTimers();
    clearTimeout(this.closeTimer);
  }
}

/** A payload's size on the wire: a string (JSON) is sent as UTF-8. */
function byteLengthOf(payload: string | Uint8Array): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
}

/** Header and payload in one Buffer (one write); `length` is byteLengthOf(payload), at most 2^24. */
function frameBuffer(type: FrameType, payload: string | Uint8Array, length: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + length);
  encodeFrameHeader(type, length, out);
  if (typeof payload === 'string') out.write(payload, FRAME_HEADER_LENGTH, 'utf8');
  else out.set(payload, FRAME_HEADER_LENGTH);
  return out;
}
