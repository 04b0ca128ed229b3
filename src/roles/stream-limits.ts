/** How far a stream may run ahead of the connection (client options streamHighWaterMark, streamBufferLimit). */
export interface StreamLimits {
  /** Async iterables are pulled only while at most this many bytes wait to be sent. */
  readonly streamHighWaterMark: number;
  /** A push Observable whose values leave more than this waiting fails its call with STREAM_OVERFLOW. */
  readonly streamBufferLimit: number;
}

/** The error a call gets when a push stream (a callee's results, a caller's input) outran the connection. */
export const STREAM_OVERFLOW = 'rxwamp.error.stream_overflow';
