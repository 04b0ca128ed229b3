import { WampClient } from '../../src/index.js';
import type { ScriptedPeer } from './scripted-peer.js';

/** The set-up the pacing specs share (a callee's results, a caller's input): small limits, big chunks. */
export const HIGH_WATER_MARK = 64 * 1024;
export const CHUNK = 'c'.repeat(16 * 1024);
export const CHUNKS = 2_000; // 32 MB: far more than loopback's socket buffers hold
const BUFFER_LIMIT = 4 * 1024 * 1024;

/** A JSON client of `peer` with the pacing specs' streamHighWaterMark and streamBufferLimit. */
export function pacedClient(peer: ScriptedPeer): WampClient {
  return new WampClient({ url: peer.url, realm: 'realm1', serializers: ['json'], streamHighWaterMark: HIGH_WATER_MARK, streamBufferLimit: BUFFER_LIMIT });
}

/** Bytes the client's open session has waiting to be sent (what pacing looks at). */
export function bufferedAmountOf(client: WampClient): number {
  return (client as unknown as { connection: { current?: { session: { bufferedAmount: number } } } }).connection.current?.session.bufferedAmount ?? 0;
}
