/** What a transport reports to the session above it. */
export interface TransportListener {
  /** A decoded frame; not yet validated as a WAMP message. */
  onMessage(message: unknown): void;
  /** A frame the codec could not decode. */
  onDecodeError(error: Error): void;
  /** The connection is gone (closed, dropped, or declared dead by the liveness check); called once. */
  onClose(code: number, reason: string): void;
}

/**
 * A connected, message-oriented link to one peer with a negotiated serializer: what the session
 * uses of it (its codec and whether it is open are the transport's own business).
 */
export interface Transport {
  /**
   * Encodes and sends. Throws before anything is sent: SerializationError if the message cannot
   * be encoded, WampError `wamp.error.payload_size_exceeded` if it is over the size limit, and
   * WampConnectionError if the connection is no longer open.
   */
  send(message: readonly unknown[]): void;
  /** Closes with the WebSocket closing handshake. */
  close(code?: number, reason?: string): void;
  /** Drops the connection at once (no closing handshake) and reports onClose now. */
  abort(reason: string): void;
  /** Bytes handed to send() that the connection has not written out yet. */
  readonly bufferedAmount: number;
  /** Resolves once at most `highWaterMark` bytes wait to be written (at once if so now, or when the connection ends). */
  whenWritable(highWaterMark: number): Promise<void>;
  setListener(listener: TransportListener): void;
}
