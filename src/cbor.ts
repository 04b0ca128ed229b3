/**
 * The CBOR serializer (cbor-x), as its own entry point so that apps that do not import it do
 * not ship it: `import { cbor } from 'rxwamp/cbor'`, then `serializers: [cbor, 'json']` (a
 * client) or `serializers: ['json', cbor]` (the router).
 *
 * cbor-x is an optional peer dependency: install it beside rxwamp (`npm install cbor-x`) to
 * use this entry point. Without it, importing `rxwamp/cbor` fails with Node's own error, which
 * names the package: "Cannot find package 'cbor-x' imported from …" (ES modules) or "Cannot
 * find module 'cbor-x'" (CommonJS); a bundler reports the unresolved import the same way.
 * rxwamp adds no message of its own: a missing static import fails before any code of this
 * module runs, and catching it would take top-level await or a Node-only `require`, which the
 * CommonJS and browser builds cannot use.
 *
 * @module rxwamp/cbor
 */
import { cborCodec } from './codec/cbor.js';
import type { Serializer } from './codec/codec.js';

/**
 * The CBOR serializer (WebSocket subprotocol `wamp.2.cbor`, binary frames), to list in a
 * client's or the router's `serializers`. Needs the `cbor-x` package installed.
 */
export const cbor: Serializer = cborCodec;
export type { Serializer };
