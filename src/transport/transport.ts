import type { Codec } from '../codec/index.js';

/** What a transport reports to the session above it. */
export interface TransportListener {
  /** A decoded frame; not yet validated as a WAMP message. */
  onMessage(message: unknown): void;
  /** A frame the codec could not decode. */
  onDecodeError(error: Error): void;
  /** The connection is gone; called once. */
  onClose(code: number, reason: string): void;
}

/** A connected, message-oriented link to one peer with a negotiated serializer. */
export interface Transport {
  readonly codec: Codec;
  readonly isOpen: boolean;
  /** Encodes and sends; throws SerializationError before anything is sent if it cannot encode. */
  send(message: readonly unknown[]): void;
  close(code?: number, reason?: string): void;
  setListener(listener: TransportListener): void;
}
