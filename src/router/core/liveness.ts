/** The router's ping/pong times (RouterOptions.pingInterval and pongTimeout, resolved). */
export interface LivenessTimes {
  /** Ms from a connection's start, or its last sign of life after a ping, to the next ping; 0: never ping. */
  readonly pingIntervalMs: number;
  /** Ms a ping may go unanswered; 0: never enforced. */
  readonly pongTimeoutMs: number;
}

/** What a LivenessWatch does to one connection; each transport says how. */
export interface LivenessProbe {
  /** Sends a ping (a WebSocket ping frame, a RawSocket PING). */
  ping(): void;
  /**
   * Whether an unanswered ping is not the peer's fault: the router does not read it (flow
   * control), or the peer does not read what we send (its pong may be queued behind our frames).
   * A peer that does not read is judged by write progress instead (the stalled-peer timeout), so a
   * slow consumer is not mistaken for a dead one.
   */
  excused(): boolean;
  /** The peer did not answer in time: drop it without a close handshake (it would not answer that either). */
  lost(): void;
}

/**
 * Pings one connection and drops it when a ping goes unanswered: a frozen or unplugged peer
 * keeps its TCP connection (and its registrations, and its callers waiting) until the kernel
 * gives up, which can take many minutes. A pong or any incoming message within the deadline
 * counts as an answer (a peer busy sending is alive even if its pong is queued behind a frame).
 * The same logic for every transport; the transport supplies the probe.
 */
export class LivenessWatch {
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private pongDeadline: ReturnType<typeof setTimeout> | undefined;
  private watching = false;

  constructor(
    private readonly times: LivenessTimes,
    private readonly probe: LivenessProbe,
  ) {}

  /** Starts pinging (once; nothing when either time is 0). */
  start(): void {
    const { pingIntervalMs, pongTimeoutMs } = this.times;
    if (this.watching || pingIntervalMs <= 0 || pongTimeoutMs <= 0) return;
    this.watching = true;
    this.schedulePing();
  }

  /** A sign of life (a pong, any message): answers the ping in flight, and the next one is scheduled. */
  heard(): void {
    if (this.pongDeadline === undefined) return;
    clearTimeout(this.pongDeadline);
    this.pongDeadline = undefined;
    this.schedulePing();
  }

  /** The connection is ending: no timer of ours may outlive it. */
  stop(): void {
    this.watching = false;
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongDeadline);
    this.pingTimer = undefined;
    this.pongDeadline = undefined;
  }

  private schedulePing(): void {
    this.pingTimer = setTimeout(() => this.ping(), this.times.pingIntervalMs);
  }

  private ping(): void {
    this.pingTimer = undefined;
    this.pongDeadline = setTimeout(() => {
      if (this.probe.excused()) return this.heard();
      this.stop();
      this.probe.lost();
    }, this.times.pongTimeoutMs);
    this.probe.ping();
  }
}
