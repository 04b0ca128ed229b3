// JSON only: CBOR (cbor-x) and MessagePack (msgpackr) are optional peer dependencies, loaded
// only by whoever imports ./cbor.js or ./msgpack.js (the rxwamp/cbor and rxwamp/msgpack entry
// points), so the client and the router run without either package installed.
export * from './codec.js';
export { jsonCodec } from './json.js';
