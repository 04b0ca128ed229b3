import type { SerializerName } from '../codec/codec.js';
import type { WebSocketConstructor } from '../transport/websocket.js';

export interface WampClientOptions {
  /** Router WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly url: string;
  /** The realm to join. */
  readonly realm: string;
  /**
   * Serializers to offer, in preference order; the router picks one.
   * Default `['cbor', 'msgpack', 'json']`.
   */
  readonly serializers?: readonly SerializerName[];
  /** HELLO.Details.agent. Default `rxwamp/<version>`. */
  readonly agent?: string;
  /** Give up opening the WebSocket, and then joining the realm, after this many ms each. Default 10000. */
  readonly connectTimeout?: number;
  /** How long `close()` waits for the router's answering GOODBYE. Default 2000 ms. */
  readonly goodbyeTimeout?: number;
  /** WebSocket implementation; defaults to the browser's, or `ws` in Node. */
  readonly WebSocket?: WebSocketConstructor;
}

export const DEFAULT_SERIALIZERS: readonly SerializerName[] = ['cbor', 'msgpack', 'json'];
export const VERSION = '0.1.0';
