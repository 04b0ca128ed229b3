import type { PeerConnection } from './peer-connection.js';

/**
 * Backpressure from a slow reader to the peers whose messages fill its socket.
 *
 * The dealer relays what one peer sends (a callee's YIELDs, a caller's CALLs) to another. When
 * the receiving peer's connection holds more than `flowHighWaterMark` unsent bytes, the router
 * stops reading from the sending peer's socket; once the receiver has drained below
 * `flowLowWaterMark`, it reads again. The kernel's buffers then fill and TCP flow control
 * stops the sender: an rxwamp callee that streams an async iterable stops pulling it, because
 * its own socket takes no more. So a stalled caller costs the router about the high-water
 * mark, not everything the callee can produce.
 *
 * The trade-off: WAMP has no per-call credit, so the only lever is the sender's whole socket.
 * While paused, none of the sender's messages are read: its other calls, to other callers,
 * stall too (head-of-line blocking), and so do its publications and its answers to
 * INVOCATIONs. Per-invocation flow control would need protocol support (a credit or window
 * per call). A receiver that stays congested for `stalledPeerTimeoutMs` is dropped, which
 * frees every sender it held.
 *
 * Events are not throttled: one slow subscriber must not stall a publisher for every other
 * subscriber. A subscriber that does not keep up is dropped at `maxBufferedBytes` instead.
 */
export class FlowGate {
  /** Gates of senders paused until this peer drains. */
  private readonly waiting = new Set<FlowGate>();
  /** Gates of receivers this peer waits for; its socket is not read while this is non-empty. */
  private readonly blockers = new Set<FlowGate>();

  constructor(private readonly connection: PeerConnection) {}

  /** Whether reading from this peer is paused (for tests and diagnostics). */
  get isHeldBack(): boolean {
    return this.blockers.size > 0;
  }

  /** Call after relaying a message from `sender` to this peer: a congested peer holds the sender back until it drains. */
  relayedFrom(sender: FlowGate): void {
    if (sender === this || !this.connection.congested) return;
    if (this.waiting.has(sender)) return;
    this.waiting.add(sender);
    sender.blockers.add(this);
    if (sender.blockers.size === 1) sender.connection.pauseReading();
  }

  /** This peer's unsent output fell below the low-water mark: release every sender it held. */
  drained(): void {
    for (const sender of this.waiting) sender.unblock(this);
    this.waiting.clear();
  }

  /**
   * The peer's transport is closing or gone: it holds no one back and waits for no one. Its
   * own reading resumes, so a close handshake can still be read.
   */
  closed(): void {
    this.drained();
    if (this.blockers.size === 0) return;
    for (const receiver of this.blockers) receiver.waiting.delete(this);
    this.blockers.clear();
    this.connection.resumeReading();
  }

  private unblock(receiver: FlowGate): void {
    if (this.blockers.delete(receiver) && this.blockers.size === 0) this.connection.resumeReading();
  }
}
