/**
 * The MessagePack serializer (msgpackr), as its own entry point so that apps that do not
 * import it do not ship it: `import { msgpack } from 'rxwamp/msgpack'`, then
 * `serializers: [msgpack, 'json']` (a client) or `serializers: ['json', msgpack]` (the router).
 *
 * msgpackr is an optional peer dependency: install it beside rxwamp (`npm install msgpackr`)
 * to use this entry point. Without it, importing `rxwamp/msgpack` fails with Node's own error,
 * which names the package: "Cannot find package 'msgpackr' imported from …" (ES modules) or
 * "Cannot find module 'msgpackr'" (CommonJS); a bundler reports the unresolved import the
 * same way. rxwamp adds no message of its own: a missing static import fails before any code
 * of this module runs, and catching it would take top-level await or a Node-only `require`,
 * which the CommonJS and browser builds cannot use.
 *
 * @module rxwamp/msgpack
 */
import { msgpackCodec } from './codec/msgpack.js';
import type { Serializer } from './codec/codec.js';

/**
 * The MessagePack serializer (WebSocket subprotocol `wamp.2.msgpack`, binary frames), to list
 * in a client's or the router's `serializers`. Needs the `msgpackr` package installed.
 */
export const msgpack: Serializer = msgpackCodec;
export type { Serializer };
