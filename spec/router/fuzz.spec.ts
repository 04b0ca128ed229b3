import { expect } from 'chai';
import WebSocket from 'ws';
import { CODECS, type Codec, type SerializerName } from '../helpers/codecs.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { FULL_ROLES, RawPeer } from '../helpers/raw-peer.js';
import { fuzzFrame, seededRandom } from './fuzz-frames.js';

const FRAMES_PER_SERIALIZER = 10_000;
/** Extra bad frames sent as the very first message of a connection (before any HELLO). */
const PRE_HELLO_FRAMES = 200;
const CONNECTIONS_PER_SERIALIZER = 24;
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261125);

type Outcome = unknown[] | 'closed';

/** A bare WebSocket speaking one codec, with a single-waiter inbox (fast enough for thousands of rounds). */
class FuzzConnection {
  private inbox: unknown[][] = [];
  private waiter: ((outcome: Outcome) => void) | undefined;
  private predicate: (m: unknown[]) => boolean = () => true;
  closed = false;

  private constructor(
    private readonly socket: WebSocket,
    private readonly codec: Codec,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = codec.decode(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString('utf8')) as unknown[];
      if (this.waiter && this.predicate(message)) {
        const resolve = this.waiter;
        this.waiter = undefined;
        resolve(message);
      } else {
        this.inbox.push(message);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve?.('closed');
    });
    socket.on('error', () => undefined);
  }

  static open(url: string, codec: Codec): Promise<FuzzConnection> {
    const socket = new WebSocket(url, [codec.subprotocol]);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new FuzzConnection(socket, codec)));
      socket.once('error', reject);
    });
  }

  send(message: unknown[]): void {
    this.sendFrame(this.codec.encode(message));
  }

  sendFrame(frame: string | Uint8Array): void {
    if (!this.closed) this.socket.send(frame, { binary: typeof frame !== 'string' });
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
    this.socket.terminate();
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
async function fuzzWorker(url: string, codec: Codec, frames: Iterator<string | Uint8Array>, stats: FuzzStats): Promise<void> {
  let connection: FuzzConnection | undefined;
  for (let next = frames.next(); !next.done;) {
    connection ??= await FuzzConnection.open(url, codec);
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

async function preHelloFuzz(url: string, codec: Codec, random: () => number, stats: FuzzStats): Promise<void> {
  for (let i = 0; i < PRE_HELLO_FRAMES; i++) {
    const connection = await FuzzConnection.open(url, codec);
    connection.sendFrame(fuzzFrame(random, codec));
    const outcome = await connection.waitFor((m) => m[0] === M.ABORT);
    if (outcome === 'closed' || outcome[0] === M.ABORT) stats.preHelloAborted++;
    connection.close();
  }
}

function* frameSource(codec: Codec, random: () => number, count: number): Iterator<string | Uint8Array> {
  for (let i = 0; i < count; i++) yield fuzzFrame(random, codec);
}

describe('router: fuzzing with random and truncated frames', function () {
  // About 50 s on an idle 2-core machine (30,000 connections); a loaded one needs more room.
  this.timeout(240_000);
  let fixture: EmbeddedRouter;
  const internalErrors: unknown[] = [];
  let bystander: RawPeer;
  let registration: number;
  let subscription: number;

  before(async () => {
    fixture = await startEmbeddedRouter({ onInternalError: (error) => internalErrors.push(error) });
    bystander = await RawPeer.join(fixture.url, 'realm1');
    registration = await bystander.register('com.bystander.echo');
    subscription = await bystander.subscribe('com.bystander.news');
  });
  after(async () => {
    await bystander.close();
    await fixture.stop();
  });

  it(`survives ${FRAMES_PER_SERIALIZER} bad frames per serializer, aborting only the bad sessions (seed ${SEED})`, async () => {
    const started = Date.now();
    const receivedBefore = bystander.received.length;
    const results = await Promise.all(
      (['json', 'cbor', 'msgpack'] as SerializerName[]).map(async (name, index) => {
        const codec = CODECS[name];
        const random = seededRandom(SEED + index);
        const stats: FuzzStats = { delivered: 0, aborted: 0, survived: 0, preHelloAborted: 0 };
        const frames = frameSource(codec, random, FRAMES_PER_SERIALIZER);
        await Promise.all([
          ...Array.from({ length: CONNECTIONS_PER_SERIALIZER }, () => fuzzWorker(fixture.url, codec, frames, stats)),
          preHelloFuzz(fixture.url, codec, seededRandom(SEED + 100 + index), stats),
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
      const caller = await RawPeer.join(fixture.url, 'realm1', { serializer });
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
    console.log(`      fuzz: ${results.map(({ name, stats }) => `${name} ${stats.aborted} aborted / ${stats.survived} harmless`).join(', ')}; ${elapsed} ms`);
  });
});
