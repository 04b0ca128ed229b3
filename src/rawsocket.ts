/**
 * The WAMP-RawSocket client transport (Node only), as its own entry point so that the browser
 * core never includes node:net or node:tls:
 *
 * ```ts compile
 * import { WampClient } from 'rxwamp';
 * import { rawSocket } from 'rxwamp/rawsocket';
 *
 * const client = new WampClient({ url: 'rs://127.0.0.1:8081', realm: 'realm1', transports: [rawSocket] });
 * ```
 *
 * URLs: `rs://host:port` (TCP), `rss://host:port` (TLS, with the client's `tls` options) and
 * `rs://unix:/absolute/path` (a Unix socket). A RawSocket handshake names one serializer, so
 * each connection offers only the first of the client's `serializers`. The client announces its
 * `maxMessageSize` rounded down to a power of two (512 B to 16 MiB) and sends nothing over the
 * router's announced limit (that operation fails alone with `wamp.error.payload_size_exceeded`).
 * It answers every PING with a PONG, and pings (`pingInterval`, `pongTimeout`) only once the
 * router has pinged it: Autobahn|Python and Crossbar.io drop a connection that sends a PING.
 *
 * @module rxwamp/rawsocket
 */
import type { TransportFactory } from './client/options.js';
import { openRawSocket } from './transport/rawsocket.js';

/** The RawSocket transport, to list in a client's `transports`: it opens `rs://`, `rss://` and `rs://unix:/path` endpoints. */
export const rawSocket: TransportFactory = Object.freeze({ urls: /^rss?:\/\/./i, open: openRawSocket });
export type { TransportFactory };
