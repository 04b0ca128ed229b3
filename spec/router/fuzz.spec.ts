import { expect } from 'chai';
import WebSocket from 'ws';
import { CODECS, type Codec, type SerializerName } from '../helpers/codecs.js';
import { MessageType as M } from '../../src/protocol/index.js';
import type { MemoryConnection } from '../../src/testing/memory-transport.js';
import { describeOnEachTransport, startRouter, type RouterFixture, type RouterTransport, type TransportPeer } from '../helpers/embedded-router.js';
import { FULL_ROLES } from '../helpers/raw-peer.js';
import { fuzzFrame, seededRandom } from './fuzz-frames.js';

const FRAMES_PER_SERIALIZER = 10_000;
/** Extra bad frames sent as the very first message of a connection (before any HELLO). */
const PRE_HELLO_FRAMES = 200;
const CONNECTIONS_PER_SERIALIZER = 24;
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261125);

type Outcome = unknown[] | 'closed';

/** What FuzzConnection needs of a WebSocket: the browser API, which `ws` and the in-memory WebSocket both offer. */
interface FuzzSocket {
  binaryType: string;
  onopen: ((event: never) => unknown) | null;
  onmessage: ((event: never) => unknown) | null;
  onclose: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
  send(data: string | Uint8Array): void;
}

/** How a fuzz connection reaches the router, and how it drops a connection without a closing handshake. */
interface FuzzTarget {
  readonly url: string;
  readonly WebSocket: new (url: string, protocols: string[]) => FuzzSocket;
  /** `ws`: terminate(); in memory: drop() (both lose the connection at once, as the fuzz wants it). */
  readonly abandon: (socket: FuzzSocket) => void;
}

function fuzzTarget(fixture: RouterFixture): FuzzTarget {
  const { url, WebSocket: MemoryWebSocket } = fixture.clientOptions();
  if (!MemoryWebSocket) return { url, WebSocket, abandon: (socket) => (socket as WebSocket).terminate() };
  return { url, WebSocket: MemoryWebSocket, abandon: (socket) => (socket as unknown as MemoryConnection).drop() };
}

/** A bare WebSocket speaking one codec, with a single-waiter inbox (fast enough for thousands of rounds). */
class FuzzConnection {
  private inbox: unknown[][] = [];
  private waiter: ((outcome: Outcome) => void) | undefined;
  private predicate: (m: unknown[]) => boolean = () => true;
  closed = false;

  private constructor(
    private readonly target: FuzzTarget,
    private readonly socket: FuzzSocket,
    private readonly codec: Codec,
  ) {
    socket.onmessage = (event: { data: string | ArrayBuffer }) => {
      const message = codec.decode(typeof event.data === 'string' ? event.data : new Uint8Array(event.data)) as unknown[];
      if (this.waiter && this.predicate(message)) {
        const resolve = this.waiter;
        this.waiter = undefined;
        resolve(message);
      } else {
        this.inbox.push(message);
      }
    };
    socket.onclose = () => {
      this.closed = true;
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve?.('closed');
    };
  }

  static open(target: FuzzTarget, codec: Codec): Promise<FuzzConnection> {
    const socket = new target.WebSocket(target.url, [codec.subprotocol]);
    socket.binaryType = 'arraybuffer';
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new FuzzConnection(target, socket, codec));
      socket.onerror = (event: { message?: string }) => reject(new Error(`FuzzConnection: ${event.message ?? 'refused'}`));
    });
  }

  send(message: unknown[]): void {
    this.sendFrame(this.codec.encode(message));
  }

  /** Text as a text frame, bytes as a binary frame (both WebSocket APIs decide by the type). */
  sendFrame(frame: string | Uint8Array): void {
    if (!this.closed) this.socket.send(frame);
  }

  /** The next message matching the predicate (others are discarded), or 'closed'. */
  waitFor(predicate: (m: unknown[]) => boolean, timeoutMs = 3000): Promise<Outcome> {
    const queued = this.inbox.find(predicate);
    this.inbox = [];
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve('closed');
    this.predicate = predicate;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the router did not answer within 3 s')), timeoutMs);
      this.waiter = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
    });
  }

  close(): void {
    this.target.abandon(this.socket);
  }
}

interface FuzzStats {
  delivered: number;
  aborted: number;
  survived: number;
  preHelloAborted: number;
}

/**
 * One connection's loop: join, send one bad frame, say GOODBYE. An ABORT (the usual answer)
 * ends the connection and the next frame gets a new one; when the frame was harmless the
 * router answers the GOODBYE and the same transport joins again (§4.1).
 */
async function fuzzWorker(target: FuzzTarget, codec: Codec, frames: Iterator<string | Uint8Array>, stats: FuzzStats): Promise<void> {
  let connection: FuzzConnection | undefined;
  for (let next = frames.next(); !next.done;) {
    connection ??= await FuzzConnection.open(target, codec);
    connection.send([M.HELLO, 'realm1', { roles: FULL_ROLES }]);
    const welcome = await connection.waitFor((m) => m[0] === M.WELCOME || m[0] === M.ABORT);
    if (welcome === 'closed' || welcome[0] !== M.WELCOME) {
      // The previous round's transport was closing: retry this frame on a new connection.
      connection.close();
      connection = undefined;
      continue;
    }
    connection.sendFrame(next.value);
    connection.send([M.GOODBYE, {}, 'wamp.close.close_realm']);
    const outcome = await connection.waitFor((m) => m[0] === M.GOODBYE || m[0] === M.ABORT);
    stats.delivered++;
    if (outcome === 'closed' || outcome[0] === M.ABORT) {
      if (outcome !== 'closed') expect(outcome[2]).to.equal('wamp.error.protocol_violation');
      stats.aborted++;
      connection.close();
      connection = undefined;
    } else {
      stats.survived++;
    }
    next = frames.next();
  }
  connection?.close();
}

async function preHelloFuzz(target: FuzzTarget, codec: Codec, random: () => number, stats: FuzzStats): Promise<void> {
  for (let i = 0; i < PRE_HELLO_FRAMES; i++) {
    const connection = await FuzzConnection.open(target, codec);
    connection.sendFrame(fuzzFrame(random, codec));
    const outcome = await connection.waitFor((m) => m[0] === M.ABORT);
    if (outcome === 'closed' || outcome[0] === M.ABORT) stats.preHelloAborted++;
    connection.close();
  }
}

function* frameSource(codec: Codec, random: () => number, count: number): Iterator<string | Uint8Array> {
  for (let i = 0; i < count; i++) yield fuzzFrame(random, codec);
}

/** Each transport's tally (aborted / harmless per serializer), to compare when both ran. */
const tallies = new Map<RouterTransport, string>();

describeOnEachTransport('router: fuzzing with random and truncated frames', (transport) => {
  let fixture: RouterFixture;
  const internalErrors: unknown[] = [];
  let bystander: TransportPeer;
  let registration: number;
  let subscription: number;

  before(async () => {
    fixture = await startRouter(transport, { onInternalError: (error) => internalErrors.push(error) });
    bystander = await fixture.joinPeer('realm1');
    registration = await bystander.register('com.bystander.echo');
    subscription = await bystander.subscribe('com.bystander.news');
  });
  after(async () => {
    await bystander.close();
    await fixture.stop();
  });

  it(`survives ${FRAMES_PER_SERIALIZER} bad frames per serializer, aborting only the bad sessions (seed ${SEED})`, async function () {
    // About 50 s over WebSocket on an idle 2-core machine (30,000 connections); a loaded one needs more room.
    this.timeout(240_000);
    const target = fuzzTarget(fixture);
    const started = Date.now();
    const receivedBefore = bystander.received.length;
    const results = await Promise.all(
      (['json', 'cbor', 'msgpack'] as SerializerName[]).map(async (name, index) => {
        const codec = CODECS[name];
        const random = seededRandom(SEED + index);
        const stats: FuzzStats = { delivered: 0, aborted: 0, survived: 0, preHelloAborted: 0 };
        const frames = frameSource(codec, random, FRAMES_PER_SERIALIZER);
        await Promise.all([
          ...Array.from({ length: CONNECTIONS_PER_SERIALIZER }, () => fuzzWorker(target, codec, frames, stats)),
          preHelloFuzz(target, codec, seededRandom(SEED + 100 + index), stats),
        ]);
        return { name, stats };
      }),
    );
    const elapsed = Date.now() - started;
    for (const { name, stats } of results) {
      expect(stats.delivered, name).to.equal(FRAMES_PER_SERIALIZER);
      expect(stats.preHelloAborted, name).to.equal(PRE_HELLO_FRAMES);
      // Most bad frames abort; the tally shows both paths were exercised.
      expect(stats.aborted, name).to.be.greaterThan(FRAMES_PER_SERIALIZER / 2);
      expect(stats.survived, name).to.be.greaterThan(0);
    }
    expect(internalErrors, 'router bugs surfaced by the fuzz').to.deep.equal([]);
    // The bystander session was not touched: nothing arrived, and it still serves.
    expect(bystander.received.length).to.equal(receivedBefore);
    expect(bystander.isOpen).to.equal(true);
    expect(fixture.router.sessionCount('realm1')).to.equal(1);

    for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
      const caller = await fixture.joinPeer('realm1', { serializer });
      const request = caller.call('com.bystander.echo', [serializer, new Uint8Array([1, 2, 3])]);
      const invocation = await bystander.next((m) => m[0] === M.INVOCATION);
      expect(invocation[2]).to.equal(registration);
      bystander.send([M.YIELD, invocation[1], {}, invocation[4]]);
      const result = await caller.callOutcome(request);
      expect((result[3] as unknown[])[0]).to.equal(serializer);
      expect([...(result[3] as Uint8Array[])[1]!]).to.deep.equal([1, 2, 3]);
      caller.send([M.PUBLISH, caller.nextRequestId(), {}, 'com.bystander.news', [serializer]]);
      expect(await bystander.next((m) => m[0] === M.EVENT)).to.deep.include.members([M.EVENT, subscription]);
      await caller.close();
    }
    const tally = results.map(({ name, stats }) => `${name} ${stats.aborted} aborted / ${stats.survived} harmless`).join(', ');
    console.log(`      fuzz (${transport}): ${tally}; ${elapsed} ms`);
    // Whether a frame aborts its session depends on the frame alone, and both transports get
    // the same frames (the same seeds): their tallies must agree, frame for frame in sum.
    tallies.set(transport, tally);
    for (const [other, otherTally] of tallies) expect(tally, `the same seeds over ${other}`).to.equal(otherTally);
  });
});
