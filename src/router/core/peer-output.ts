/** How much unsent output a connection may hold, and for how long (RouterOptions). */
export interface OutputLimits {
  readonly maxBufferedBytes: number;
  readonly flowHighWaterMark: number;
  readonly flowLowWaterMark: number;
  readonly stalledPeerTimeoutMs: number;
}

/**
 * What one queued message costs the router beyond its bytes: ws's frame header Buffer, the
 * stream's write request and its callback entry. Measured with a stalled subscriber of
 * 140-byte events (bench/slow-consumer.ts): the live heap grew by about 2.5× the queued bytes,
 * about 210 bytes a message. Counting it makes the output limits bound memory, not bytes.
 */
export const QUEUED_MESSAGE_OVERHEAD = 256;

/** The callback a transport calls once a write has left (or failed). */
export type WriteCallback = (error?: Error | null) => void;

/** What PeerOutput tells its peer connection. */
export interface OutputEvents {
  /** The output was congested (over flowHighWaterMark) and has drained below flowLowWaterMark. */
  drained(): void;
  /** The peer does not read what it is sent (`reason` says how it showed): drop it. */
  notReading(reason: string): void;
}

/**
 * The output accounting of one peer connection, the same for WebSocket (WebSocketPeer) and
 * RawSocket (RawSocketPeer). Unsent output is what the transport really holds (`unsentBytes`:
 * ws's `bufferedAmount`, a socket's `writableLength`), not an estimate, plus
 * QUEUED_MESSAGE_OVERHEAD for each message queued while over flowLowWaterMark, so thousands of
 * small events count for the memory they take. Over flowHighWaterMark the connection is
 * congested; every write made while over flowLowWaterMark reports back when it leaves (which is
 * also how queued messages are counted), so the moment the output drains below the low-water
 * mark is seen without polling and without a callback per write in the common, uncongested
 * case. A peer that would make it hold over maxBufferedBytes, or that stays congested with
 * nothing written for stalledPeerTimeoutMs, is reported as not reading.
 */
export class PeerOutput {
  congested = false;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  /** When a write last left while congested: a slow reader that makes progress is not stalled. */
  private lastProgress = 0;
  /** Messages sent with a report-back that has not come yet (those sent over flowLowWaterMark). */
  private queuedMessages = 0;
  private readonly written: WriteCallback = (error) => {
    this.queuedMessages--;
    if (error || !this.congested) return;
    this.lastProgress = Date.now();
    if (this.heldBytes > this.limits.flowLowWaterMark) return;
    this.congested = false;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.events.drained();
  };

  constructor(
    private readonly limits: OutputLimits,
    private readonly unsentBytes: () => number,
    private readonly events: OutputEvents,
  ) {}

  /** What the unsent output costs: its bytes plus each counted message's overhead. */
  private get heldBytes(): number {
    return this.unsentBytes() + this.queuedMessages * QUEUED_MESSAGE_OVERHEAD;
  }

  /**
   * One message under the limits: `write` hands it to the transport, with the callback to call
   * once it has left when it must report back. `size` is the message's bytes as the
   * maxBufferedBytes check counts them; `largestSize` the most it may take on the wire, which
   * decides whether it reports back (so a write that makes the connection congested always does).
   */
  write(size: number, largestSize: number, write: (written: WriteCallback | undefined) => void): void {
    const before = this.heldBytes;
    const reports = before + largestSize > this.limits.flowLowWaterMark;
    // A peer that does not read (a stalled subscriber of a busy topic) would make the router
    // buffer without bound: drop it instead; its session is released like any lost one. A
    // message larger than the limit still goes to a connection that holds nothing else.
    if (before + size + QUEUED_MESSAGE_OVERHEAD > this.limits.maxBufferedBytes && before > 0) {
      this.events.notReading(`not reading: over maxBufferedBytes (${this.limits.maxBufferedBytes} bytes) unsent`);
      return;
    }
    if (reports) this.queuedMessages++;
    write(reports ? this.written : undefined);
    if (!this.congested && this.heldBytes > this.limits.flowHighWaterMark) {
      this.congested = true;
      this.lastProgress = Date.now();
      this.armStallTimer(this.limits.stalledPeerTimeoutMs);
    }
  }

  /** The connection is ending or closed: no timer of ours may outlive it. */
  stop(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  /** The peer is dropped: nothing more is sent, so it is not congested and no one is held back for it. */
  dropped(): void {
    this.stop();
    this.congested = false;
  }

  /** Reports the peer once it has been congested without any write leaving for stalledPeerTimeoutMs. */
  private armStallTimer(delay: number): void {
    const timeout = this.limits.stalledPeerTimeoutMs;
    if (timeout <= 0) return;
    this.stallTimer = setTimeout(() => {
      const idle = Date.now() - this.lastProgress;
      if (idle < timeout) return this.armStallTimer(timeout - idle);
      this.events.notReading(`not reading: congested, nothing written for ${timeout} ms`);
    }, delay);
  }
}
