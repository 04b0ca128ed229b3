import { expect } from 'chai';
import type { Observable } from 'rxjs';
import { WampClient } from '../../src/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { RawPeer } from '../helpers/raw-peer.js';

const HIGH = 256 * 1024;
const LOW = 64 * 1024;
const PROCEDURE = 'spec.flow.stream';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until it has not changed for `quietMs` (or `maxMs` passed); returns the last value. */
async function settled(read: () => number, quietMs = 400, maxMs = 15_000): Promise<number> {
  let last = read();
  let quietSince = Date.now();
  const start = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() - start < maxMs) {
    await sleep(50);
    const now = read();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
  return last;
}

/** Resolves with REGISTERED (the registration stays subscribed). */
const registered = (registration: Observable<unknown>) =>
  new Promise<void>((resolve, reject) => {
    registration.subscribe({ next: () => resolve(), error: reject });
  });

/** Progressive RESULTs of `request` received so far, in arrival order. */
const progressOf = (peer: RawPeer, request: number) =>
  peer.received.filter((m) => m[0] === M.RESULT && m[1] === request && (m[2] as Record<string, unknown>)['progress'] === true);

describe('router: flow control (a slow caller holds its callee back)', function () {
  this.timeout(60_000);
  let fixture: EmbeddedRouter;
  const peers: RawPeer[] = [];
  const clients: WampClient[] = [];
  beforeEach(async () => {
    fixture = await startEmbeddedRouter({ flowHighWaterMark: HIGH, flowLowWaterMark: LOW });
  });
  afterEach(async () => {
    for (const peer of peers) peer.socket.resume();
    await Promise.all([...peers.splice(0).map((peer) => peer.close()), ...clients.splice(0).map((client) => client.close())]);
    await fixture.stop();
  });
  const join = async () => {
    const peer = await RawPeer.join(fixture.url, fixture.realm);
    peers.push(peer);
    return peer;
  };

  it('stops reading a raw callee while the caller does not read, and delivers every YIELD in order once it does', async () => {
    const callee = await join();
    const caller = await join();
    await callee.register(PROCEDURE);
    caller.socket.pause();
    const request = caller.call(PROCEDURE, [], {}, { receive_progress: true });
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    const invocationId = invocation[1] as number;

    // The callee writes YIELDs as fast as its socket takes them, and stops only once its own
    // socket holds BACKED_UP bytes: the router is not reading it any more.
    const filler = 'x'.repeat(4000);
    const frameBytes = Buffer.byteLength(JSON.stringify([M.YIELD, invocationId, { progress: true }, [0, filler]]));
    const BACKED_UP = 2 * 1024 * 1024;
    const LIMIT = 20_000; // 80 MB: far more than the kernel's socket buffers on both hops
    let sent = 0;
    while (callee.socket.bufferedAmount < BACKED_UP && sent < LIMIT) {
      callee.send([M.YIELD, invocationId, { progress: true }, [sent, filler]]);
      sent++;
      if (sent % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(callee.socket.bufferedAmount, "the callee's own sends back up").to.be.at.least(BACKED_UP);
    expect(sent).to.be.below(LIMIT);
    const held = fixture.router.peerOutput(caller.sessionId)!;
    expect(held.unsentBytes, 'what the router holds for the caller').to.be.at.most(HIGH + frameBytes);
    expect(held.readingPaused).to.equal(false);
    expect(fixture.router.peerOutput(callee.sessionId)!.readingPaused, 'the router stopped reading the callee').to.equal(true);
    // Still held back a while later: nothing more was read from the callee.
    await sleep(300);
    expect(fixture.router.peerOutput(caller.sessionId)!.unsentBytes).to.be.at.most(HIGH + frameBytes);

    caller.socket.resume();
    // The rest of the stream, paced by the callee's socket, then the final YIELD.
    const TOTAL = sent + 2000;
    while (sent < TOTAL) {
      if (callee.socket.bufferedAmount > BACKED_UP) {
        await sleep(5);
        continue;
      }
      callee.send([M.YIELD, invocationId, { progress: true }, [sent, filler]]);
      sent++;
    }
    callee.send([M.YIELD, invocationId, {}, ['done']]);
    const outcome = await caller.callOutcome(request, 30_000);
    expect(outcome[0]).to.equal(M.RESULT);
    expect(outcome[3]).to.deep.equal(['done']);
    const progress = progressOf(caller, request);
    expect(progress).to.have.length(TOTAL);
    progress.forEach((message, index) => expect((message[3] as unknown[])[0]).to.equal(index));
    expect(fixture.router.peerOutput(callee.sessionId)!.readingPaused).to.equal(false);
  });

  it('paces an rxwamp registerStream generator end to end: its pulls stop while the caller does not read', async () => {
    const TOTAL = 20_000;
    const chunk = 'y'.repeat(4000);
    let pulls = 0;
    const client = new WampClient({ url: fixture.url, realm: fixture.realm, serializers: ['json'] });
    clients.push(client);
    await registered(
      client.registerStream(PROCEDURE, async function* () {
        for (let i = 0; i < TOTAL; i++) {
          pulls++;
          yield [i, chunk];
        }
      }),
    );
    const caller = await join();
    caller.socket.pause();
    const request = caller.call(PROCEDURE, [], {}, { receive_progress: true });

    const stalledAt = await settled(() => pulls);
    expect(stalledAt, 'pulls while the caller does not read')
      .to.be.above(0)
      .and.below(TOTAL / 2);
    expect(fixture.router.peerOutput(caller.sessionId)!.unsentBytes).to.be.at.most(HIGH + 8192);

    caller.socket.resume();
    const outcome = await caller.callOutcome(request, 40_000);
    expect(outcome[0]).to.equal(M.RESULT);
    expect(pulls).to.equal(TOTAL);
    const progress = progressOf(caller, request);
    expect(progress).to.have.length(TOTAL);
    progress.forEach((message, index) => expect(((message[3] as unknown[])[0] as unknown[])[0]).to.equal(index));
  });
});

describe('router: peers that do not read are dropped', function () {
  this.timeout(60_000);
  let fixture: EmbeddedRouter | undefined;
  const peers: RawPeer[] = [];
  afterEach(async () => {
    for (const peer of peers) peer.socket.resume();
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
    await fixture?.stop();
  });
  const join = async () => {
    const peer = await RawPeer.join(fixture!.url, fixture!.realm);
    peers.push(peer);
    return peer;
  };

  it('drops a stalled subscriber over maxBufferedBytes; the publisher and other subscribers go on', async () => {
    const MAX = 1024 * 1024;
    fixture = await startEmbeddedRouter({ maxBufferedBytes: MAX });
    const stalled = await join();
    const reading = await join();
    const publisher = await join();
    await stalled.subscribe('spec.flow.topic');
    await reading.subscribe('spec.flow.topic');
    stalled.socket.pause();
    const filler = 'z'.repeat(4000);
    let published = 0;
    let maxHeld = 0;
    while (fixture.router.peerOutput(stalled.sessionId) !== undefined && published < 20_000) {
      publisher.send([M.PUBLISH, publisher.nextRequestId(), {}, 'spec.flow.topic', [published, filler]]);
      published++;
      if (published % 16 === 0) {
        maxHeld = Math.max(maxHeld, fixture.router.peerOutput(stalled.sessionId)?.unsentBytes ?? 0);
        await new Promise((resolve) => setImmediate(resolve));
        while (publisher.socket.bufferedAmount > 0) await sleep(1);
      }
    }
    expect(fixture.router.peerOutput(stalled.sessionId), 'the stalled subscriber was dropped').to.equal(undefined);
    expect(maxHeld, 'what the router held for it').to.be.at.most(MAX);
    expect(publisher.isOpen).to.equal(true);
    publisher.send([M.PUBLISH, publisher.nextRequestId(), {}, 'spec.flow.topic', ['last']]);
    await reading.next((m) => m[0] === M.EVENT && (m[4] as unknown[])[0] === 'last', 30_000);
    const events = reading.received.filter((m) => m[0] === M.EVENT);
    expect(events).to.have.length(published + 1);
    stalled.socket.resume();
    const closed = await stalled.closed;
    expect([1006, 1008]).to.include(closed.code);
  });

  it('counts each queued message for its overhead: a stalled subscriber of tiny events is dropped long before their bytes alone reach maxBufferedBytes', async () => {
    const { QUEUED_MESSAGE_OVERHEAD } = await import('../../src/router/node/server-socket.js');
    const MAX = 1024 * 1024;
    fixture = await startEmbeddedRouter({ maxBufferedBytes: MAX });
    const stalled = await join();
    const publisher = await join();
    await stalled.subscribe('spec.flow.tiny');
    stalled.socket.pause();
    let published = 0;
    let maxHeld = 0;
    while (fixture.router.peerOutput(stalled.sessionId) !== undefined && published < 500_000) {
      publisher.send([M.PUBLISH, publisher.nextRequestId(), {}, 'spec.flow.tiny', [published]]);
      published++;
      if (published % 64 === 0) {
        const output = fixture.router.peerOutput(stalled.sessionId);
        maxHeld = Math.max(maxHeld, output?.unsentBytes ?? 0);
        await new Promise((resolve) => setImmediate(resolve));
        while (publisher.socket.bufferedAmount > 0) await sleep(1);
      }
    }
    // An EVENT here is [36, <id>, <id>, {}, [n]]: about 50 bytes, each queued one counted as 50 + overhead.
    const eventBytes = JSON.stringify([36, 2 ** 53, 2 ** 53, {}, [published]]).length;
    expect(fixture.router.peerOutput(stalled.sessionId), 'the stalled subscriber was dropped').to.equal(undefined);
    // Messages are counted once the output is over flowLowWaterMark (default 256 KiB; below it
    // no write reports back); past that, each holds its bytes' share of the limit.
    const LOW = 256 * 1024;
    const bytesShare = eventBytes / (eventBytes + QUEUED_MESSAGE_OVERHEAD);
    expect(maxHeld, `queued bytes when dropped (${published} published)`).to.be.below(LOW + (MAX - LOW) * bytesShare * 1.25);
    expect(publisher.isOpen).to.equal(true);
  });

  it('drops a caller congested past stalledPeerTimeoutMs, which frees the callee it held back', async () => {
    fixture = await startEmbeddedRouter({ flowHighWaterMark: HIGH, flowLowWaterMark: LOW, stalledPeerTimeoutMs: 500 });
    const callee = await join();
    const caller = await join();
    await callee.register(PROCEDURE);
    caller.socket.pause();
    caller.call(PROCEDURE, [], {}, { receive_progress: true });
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    const filler = 'x'.repeat(4000);
    let sent = 0;
    // Stream until the router stops reading the callee.
    while (!fixture.router.peerOutput(callee.sessionId)!.readingPaused && sent < 20_000) {
      callee.send([M.YIELD, invocation[1], { progress: true }, [sent++, filler]]);
      if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fixture.router.peerOutput(callee.sessionId)!.readingPaused).to.equal(true);
    // The caller goes; the callee is read again and told to stop.
    const interrupt = await callee.next((m) => m[0] === M.INTERRUPT, 10_000);
    expect(interrupt[1]).to.equal(invocation[1]);
    expect(fixture.router.peerOutput(callee.sessionId)!.readingPaused).to.equal(false);
    expect(callee.isOpen).to.equal(true);
    caller.socket.resume();
    const closed = await caller.closed;
    expect([1006, 1008]).to.include(closed.code);
    if (closed.code === 1008) expect(closed.reason).to.match(/^not reading/);
  });

  it('refuses flow options out of range', async () => {
    const { Router } = await import('../../src/router/index.js');
    expect(() => new Router({ realms: ['realm1'], flowHighWaterMark: 0 })).to.throw(TypeError, /flowHighWaterMark/);
    expect(() => new Router({ realms: ['realm1'], flowHighWaterMark: 1000, flowLowWaterMark: 2000 })).to.throw(TypeError, /flowLowWaterMark/);
    expect(() => new Router({ realms: ['realm1'], stalledPeerTimeoutMs: -1 })).to.throw(TypeError, /stalledPeerTimeoutMs/);
  });
});
