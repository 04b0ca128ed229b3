import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { MessageType as M } from '../../src/protocol/index.js';
import type { RouterOptions } from '../../src/router/index.js';
import { encodeFrameHeader, FrameType, hexOctets } from '../../src/transport/rawsocket-framing.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { RawSocketWire, type RawSocketTarget } from '../helpers/rawsocket-wire.js';
import { until } from '../helpers/scripted-peer.js';

type Listen = Parameters<EmbeddedRouter['router']['listenRawSocket']>[0];

const hex = (bytes: Uint8Array) => hexOctets(bytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('router: WAMP-RawSocket listener (spec §8.4)', function () {
  this.timeout(30_000);
  let fixture: EmbeddedRouter | undefined;
  let target: RawSocketTarget;
  let url = '';
  const wires: RawSocketWire[] = [];
  const peers: RawPeer[] = [];

  /** An embedded router (JSON, CBOR, MessagePack) on WebSocket and on a RawSocket TCP listener. */
  async function start(options: Partial<RouterOptions> = {}, listen: Listen = {}): Promise<EmbeddedRouter> {
    fixture = await startEmbeddedRouter(options);
    const address = await fixture.router.listenRawSocket(listen);
    url = address.url;
    target = { host: address.host!, port: address.port! };
    return fixture;
  }
  const track = <T extends RawSocketWire | RawPeer>(peer: T): T => {
    if (peer instanceof RawSocketWire) wires.push(peer);
    else peers.push(peer);
    return peer;
  };
  const open = async () => track(await RawSocketWire.open(target));
  const join = async (options: Parameters<typeof RawSocketWire.join>[1] = {}) => track(await RawSocketWire.join(target, options));
  const joinWebSocket = async () => track(await RawPeer.join(fixture!.url, fixture!.realm));

  afterEach(async () => {
    for (const peer of peers) peer.socket.resume();
    await Promise.all([...wires.splice(0).map((wire) => wire.close()), ...peers.splice(0).map((peer) => peer.close())]);
    await fixture?.stop();
    fixture = undefined;
  });

  describe('handshake', () => {
    it('answers 7F F1 00 00 to a JSON client with 16 MiB; HELLO and WELCOME then go as frames (exact bytes)', async () => {
      await start();
      expect(url).to.equal(`rs://127.0.0.1:${(target as { port: number }).port}`);
      const wire = await open();
      wire.write([0x7f, 0xf1, 0x00, 0x00]);
      expect(hex(await wire.takeBytes(4))).to.equal('7F F1 00 00');
      wire.startFraming(2 ** 24);
      const hello = wire.frame([M.HELLO, 'realm1', { roles: { caller: {} } }]);
      expect(hex(hello.subarray(0, 4))).to.equal(`00 00 00 ${(hello.length - 4).toString(16).toUpperCase()}`);
      expect(Buffer.from(hello.subarray(4)).toString('utf8')).to.equal('[1,"realm1",{"roles":{"caller":{}}}]');
      wire.write(hello);
      const welcome = await wire.next();
      expect(welcome[0]).to.equal(M.WELCOME);
      expect(wire.frameLengths[0]).to.equal(Buffer.byteLength(JSON.stringify(welcome)));
    });

    it("repeats the client's serializer: MessagePack 7F F2 00 00, CBOR 7F F3 00 00, and joins over each", async () => {
      await start();
      for (const [serializer, hello, answer] of [
        ['msgpack', [0x7f, 0xf2, 0, 0], '7F F2 00 00'],
        ['cbor', [0x7f, 0xf3, 0, 0], '7F F3 00 00'],
      ] as const) {
        const wire = track(await RawSocketWire.open(target, serializer));
        wire.write(hello);
        expect(hex(await wire.takeBytes(4))).to.equal(answer);
        wire.startFraming(2 ** 24);
        expect((await wire.hello('realm1'))[0]).to.equal(M.WELCOME);
      }
    });

    it('announces the largest power of two up to maxFrameSize as its own limit', async () => {
      await start({ maxMessageSize: 40 * 1024, maxFrameSize: 100 * 1024 });
      const wire = await open();
      wire.write([0x7f, 0xf1, 0, 0]);
      // 64 KiB = 2^(9+7)
      expect(hex(await wire.takeBytes(4))).to.equal('7F 71 00 00');
    });

    it('refuses a serializer it was not given, serializer 0 and UBJSON with error 1 (7F 10 00 00), then closes', async () => {
      await start({ serializers: ['json'] });
      for (const second of [0xf3, 0xf2, 0xf0, 0xf4, 0xf9]) {
        const wire = await open();
        wire.write([0x7f, second, 0, 0]);
        expect(hex(await wire.takeBytes(4)), `7F ${second.toString(16)} 00 00`).to.equal('7F 10 00 00');
        await wire.closed;
        expect(wire.rawBytes).to.have.length(0);
      }
    });

    it('refuses a client that takes less than 1 KiB (it could not even read WELCOME) with error 2 (7F 20 00 00)', async () => {
      await start();
      const wire = await open();
      wire.write([0x7f, 0x01, 0, 0]); // JSON, 512 B
      expect(hex(await wire.takeBytes(4))).to.equal('7F 20 00 00');
      await wire.closed;
      const oneKiB = track(await RawSocketWire.join(target, { lengthExponent: 1 }));
      expect(oneKiB.sessionId).to.be.above(0);
    });

    it('refuses reserved octets set with error 3 (7F 30 00 00)', async () => {
      await start();
      for (const request of [
        [0x7f, 0xf1, 0x00, 0x01],
        [0x7f, 0xf1, 0x80, 0x00],
      ]) {
        const wire = await open();
        wire.write(request);
        expect(hex(await wire.takeBytes(4))).to.equal('7F 30 00 00');
        await wire.closed;
      }
    });

    it('refuses a connection over maxConnections with error 4 (7F 40 00 00), and takes one again once a place is free', async () => {
      await start({}, { maxConnections: 1 });
      const first = await join();
      const second = await open();
      second.write([0x7f, 0xf1, 0, 0]);
      expect(hex(await second.takeBytes(4))).to.equal('7F 40 00 00');
      await second.closed;
      await first.close();
      // The router sees the close on its own tick: retry until the place is free.
      let third: RawSocketWire | undefined;
      for (let attempt = 0; attempt < 50 && !third; attempt++) {
        const wire = await open();
        wire.write([0x7f, 0xf1, 0, 0]);
        const answer = hex(await wire.takeBytes(4));
        if (answer === '7F F1 00 00') third = wire;
        else await wire.closed;
      }
      expect(third, 'accepted once the first connection closed').not.to.equal(undefined);
    });

    it('closes a connection that is not RawSocket (an HTTP request) without answering', async () => {
      await start();
      const wire = await open();
      wire.write(Buffer.from('GET /ws HTTP/1.1\r\nHost: x\r\n\r\n'));
      await wire.closed;
      expect(wire.rawBytes).to.have.length(0);
    });

    it('takes a handshake split across writes, and a HELLO in the same write as the handshake', async () => {
      await start();
      const split = await open();
      split.write([0x7f]);
      await tick();
      split.write([0xf1, 0x00]);
      await tick();
      split.write([0x00]);
      expect(hex(await split.takeBytes(4))).to.equal('7F F1 00 00');

      const together = await open();
      const hello = together.frame([M.HELLO, 'realm1', { roles: { caller: {} } }]);
      together.write(Buffer.concat([Uint8Array.of(0x7f, 0xf1, 0, 0), hello]));
      expect(hex(await together.takeBytes(4))).to.equal('7F F1 00 00');
      together.startFraming(2 ** 24);
      expect((await together.next())[0]).to.equal(M.WELCOME);
    });

    it('destroys a connection that does not complete the handshake within handshakeTimeoutMs', async () => {
      await start({ handshakeTimeoutMs: 200 });
      const silent = await open();
      const half = await open();
      half.write([0x7f, 0xf1]);
      const started = Date.now();
      await Promise.all([silent.closed, half.closed]);
      expect(Date.now() - started).to.be.below(5000);
    });
  });

  describe('frames', () => {
    it('reassembles a frame split across writes at any point of its header and payload', async () => {
      await start();
      const wire = await RawSocketWire.handshake(target);
      track(wire);
      const hello = wire.frame([M.HELLO, 'realm1', { roles: { caller: {} } }]);
      for (const piece of [hello.subarray(0, 1), hello.subarray(1, 3), hello.subarray(3, 10), hello.subarray(10)]) {
        wire.write(piece);
        await tick();
      }
      expect((await wire.next())[0]).to.equal(M.WELCOME);
      // Several frames in one write.
      const register = wire.frame([M.REGISTER, 1, {}, 'spec.rs.a']);
      const subscribe = wire.frame([M.SUBSCRIBE, 2, {}, 'spec.rs.b']);
      wire.write(Buffer.concat([register, subscribe]));
      expect((await wire.next((m) => m[0] === M.REGISTERED))[1]).to.equal(1);
      expect((await wire.next((m) => m[0] === M.SUBSCRIBED))[1]).to.equal(2);
    });

    it('answers each PING at once with a PONG carrying the identical payload', async () => {
      await start();
      const wire = await join();
      const payloads = [new Uint8Array(0), Uint8Array.of(1, 2, 3, 4), Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff)];
      for (const payload of payloads) wire.sendPing(payload);
      await wire.until(() => wire.pongs.length === payloads.length, 'three PONGs');
      expect(wire.pongs.map((pong) => Array.from(pong))).to.deep.equal(payloads.map((payload) => Array.from(payload)));
      // The exact bytes of one exchange.
      expect(hex(encodeFrameHeader(FrameType.ping, 4))).to.equal('01 00 00 04');
      expect(hex(encodeFrameHeader(FrameType.pong, 4))).to.equal('02 00 00 04');
    });

    it('ends the connection on a frame over its announced limit, with an ABORT saying why; one within it is a per-request error', async () => {
      await start({ maxMessageSize: 40 * 1024, maxFrameSize: 64 * 1024 });
      const callee = await join();
      await callee.register('spec.rs.echo');
      const caller = await join();
      // Between maxMessageSize and the announced 64 KiB: only this call fails.
      const request = caller.call('spec.rs.echo', ['x'.repeat(50 * 1024)]);
      const refused = await caller.callOutcome(request);
      expect(refused[0]).to.equal(M.ERROR);
      expect(refused[4]).to.equal('wamp.error.payload_size_exceeded');
      expect(caller.isOpen).to.equal(true);
      // Over 64 KiB: the header alone is enough to end the connection.
      caller.write(encodeFrameHeader(FrameType.message, 64 * 1024 + 1));
      const abort = await caller.next((m) => m[0] === M.ABORT);
      expect(abort[2]).to.equal('wamp.error.protocol_violation');
      expect((abort[1] as { message: string }).message).to.equal('a frame of 65537 octets is over the limit of 65536 announced in the handshake');
      await caller.closed;
      // The router's side of a close, which the test cannot wait on: checked every few ms.
      await until(() => fixture!.router.sessionCount('realm1') === 1, 5000, "the caller's session released");
    });

    it('ends the connection on reserved header bits or a reserved frame type', async () => {
      await start();
      for (const [first, problem] of [
        [0x10, /reserved bits/],
        [0x03, /reserved frame type 3/],
      ] as const) {
        const wire = await join();
        wire.write([first, 0, 0, 2, 0x5b, 0x5d]);
        const abort = await wire.next((m) => m[0] === M.ABORT);
        expect((abort[1] as { message: string }).message).to.match(problem);
        await wire.closed;
      }
    });

    it('never sends a peer more than it announced: a RESULT over it fails the call, an EVENT over it skips that subscriber only', async () => {
      await start();
      const small = await join({ lengthExponent: 1 }); // 1 KiB
      const callee = await joinWebSocket();
      await callee.register('spec.rs.big');
      const request = small.call('spec.rs.big');
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      callee.send([M.YIELD, invocation[1], {}, ['y'.repeat(2000)]]);
      const outcome = await small.callOutcome(request);
      expect(outcome[0]).to.equal(M.ERROR);
      expect(outcome[4]).to.equal('wamp.error.payload_size_exceeded');

      // The small subscriber first, so that its limit would be the one cached if the router
      // shared one encoding between limits.
      await small.subscribe('spec.rs.topic');
      const big = await join();
      await big.subscribe('spec.rs.topic');
      const websocket = await joinWebSocket();
      await websocket.subscribe('spec.rs.topic');
      callee.send([M.PUBLISH, callee.nextRequestId(), {}, 'spec.rs.topic', ['z'.repeat(2000)]]);
      callee.send([M.PUBLISH, callee.nextRequestId(), {}, 'spec.rs.topic', ['small']]);
      await big.next((m) => m[0] === M.EVENT && (m[4] as unknown[])[0] === 'small');
      await websocket.next((m) => m[0] === M.EVENT && (m[4] as unknown[])[0] === 'small');
      await small.next((m) => m[0] === M.EVENT && (m[4] as unknown[])[0] === 'small');
      expect(big.received.filter((m) => m[0] === M.EVENT)).to.have.length(2);
      expect(websocket.received.filter((m) => m[0] === M.EVENT)).to.have.length(2);
      expect(small.received.filter((m) => m[0] === M.EVENT)).to.have.length(1);
      expect(Math.max(...small.frameLengths)).to.be.at.most(1024);
    });
  });

  describe('liveness', () => {
    const fast = { pingInterval: 100, pongTimeout: 300 };

    it('by default PINGs only a peer that has sent a PING itself; a peer that never does is never pinged', async () => {
      await start(fast);
      const silent = await join();
      const pinging = await join();
      pinging.sendPing(Uint8Array.of(7));
      // Three PINGs to the pinging peer: the silent one, joined first, had as long to be pinged.
      await pinging.until(() => pinging.pings.length >= 3, 'three router PINGs');
      expect(silent.pings).to.have.length(0);
      expect(pinging.pings[0]).to.have.length(4);
      expect(silent.isOpen).to.equal(true);
    });

    it("with ping: 'always', PINGs every peer, and drops one that answers nothing within pongTimeout", async () => {
      await start(fast, { ping: 'always' });
      const answering = await join();
      const frozen = await join();
      frozen.answerPings = false;
      await frozen.closed;
      expect(frozen.pings.length).to.be.at.least(1);
      expect(answering.isOpen).to.equal(true);
      expect(answering.pings.length).to.be.at.least(1);
      await answering.until(() => fixture!.router.sessionCount('realm1') === 1, 'the frozen session released');
    });

    it('sends no PING with pingInterval 0', async () => {
      await start({ pingInterval: 0 }, { ping: 'always' });
      const wire = await join();
      wire.sendPing(Uint8Array.of(1));
      await wire.until(() => wire.pongs.length === 1, 'the PONG');
      expect(wire.pings).to.have.length(0);
    });
  });

  describe('flow control (as on WebSocket)', () => {
    const HIGH = 256 * 1024;
    const LOW = 64 * 1024;
    const filler = 'x'.repeat(4000);

    it('a RawSocket caller that stops reading holds its WebSocket callee back; every YIELD arrives in order once it reads', async () => {
      await start({ flowHighWaterMark: HIGH, flowLowWaterMark: LOW });
      const callee = await joinWebSocket();
      await callee.register('spec.rs.stream');
      const caller = await join();
      caller.socket.pause();
      const request = caller.call('spec.rs.stream', [], {}, { receive_progress: true });
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      let sent = 0;
      while (!fixture!.router.peerOutput(callee.sessionId)!.readingPaused && sent < 20_000) {
        callee.send([M.YIELD, invocation[1], { progress: true }, [sent++, filler]]);
        if (sent % 16 === 0) await tick();
      }
      expect(fixture!.router.peerOutput(callee.sessionId)!.readingPaused, 'the router stopped reading the callee').to.equal(true);
      expect(fixture!.router.peerOutput(caller.sessionId)!.unsentBytes).to.be.at.most(HIGH + 8192);
      callee.send([M.YIELD, invocation[1], {}, ['done']]);
      caller.socket.resume();
      const outcome = await caller.callOutcome(request, 20_000);
      expect(outcome[3]).to.deep.equal(['done']);
      const progress = caller.received.filter((m) => m[0] === M.RESULT && (m[2] as { progress?: boolean }).progress);
      expect(progress.map((m) => (m[3] as number[])[0])).to.deep.equal(Array.from({ length: sent }, (_, i) => i));
    });

    it('a RawSocket callee is held back while its WebSocket caller does not read: the router stops reading its socket', async () => {
      await start({ flowHighWaterMark: HIGH, flowLowWaterMark: LOW });
      const callee = await join();
      await callee.register('spec.rs.stream');
      const caller = await joinWebSocket();
      caller.socket.pause();
      const request = caller.call('spec.rs.stream', [], {}, { receive_progress: true });
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      let sent = 0;
      // The callee writes until its own socket backs up: the router is not reading it any more.
      while (callee.socket.writableLength < 2 * 1024 * 1024 && sent < 20_000) {
        callee.send([M.YIELD, invocation[1], { progress: true }, [sent++, filler]]);
        if (sent % 64 === 0) await tick();
      }
      expect(sent).to.be.below(20_000);
      expect(fixture!.router.peerOutput(callee.sessionId)!.readingPaused).to.equal(true);
      expect(fixture!.router.peerOutput(caller.sessionId)!.unsentBytes).to.be.at.most(HIGH + 8192);
      callee.send([M.YIELD, invocation[1], {}, ['done']]);
      caller.socket.resume();
      const outcome = await caller.callOutcome(request, 30_000);
      expect(outcome[3]).to.deep.equal(['done']);
      expect(caller.received.filter((m) => m[0] === M.RESULT)).to.have.length(sent + 1);
      expect(fixture!.router.peerOutput(callee.sessionId)!.readingPaused).to.equal(false);
    });

    it('drops a RawSocket subscriber that does not read once it would hold over maxBufferedBytes; others go on', async () => {
      const MAX = 1024 * 1024;
      await start({ maxBufferedBytes: MAX });
      const stalled = await join();
      const reading = await join();
      const publisher = await joinWebSocket();
      await stalled.subscribe('spec.rs.flood');
      await reading.subscribe('spec.rs.flood');
      stalled.socket.pause();
      let published = 0;
      let maxHeld = 0;
      while (fixture!.router.peerOutput(stalled.sessionId) !== undefined && published < 20_000) {
        publisher.send([M.PUBLISH, publisher.nextRequestId(), {}, 'spec.rs.flood', [published++, filler]]);
        if (published % 16 === 0) {
          maxHeld = Math.max(maxHeld, fixture!.router.peerOutput(stalled.sessionId)?.unsentBytes ?? 0);
          await tick();
          while (publisher.socket.bufferedAmount > 0) await sleep(1);
        }
      }
      expect(fixture!.router.peerOutput(stalled.sessionId), 'the stalled subscriber was dropped').to.equal(undefined);
      expect(maxHeld).to.be.at.most(MAX);
      publisher.send([M.PUBLISH, publisher.nextRequestId(), {}, 'spec.rs.flood', ['last']]);
      await reading.next((m) => m[0] === M.EVENT && (m[4] as unknown[])[0] === 'last', 20_000);
      expect(reading.received.filter((m) => m[0] === M.EVENT)).to.have.length(published + 1);
      stalled.socket.resume();
      await stalled.closed;
    });

    it('counts PONGs as output: a peer that PINGs with large payloads and does not read the PONGs is dropped at maxBufferedBytes', async () => {
      const MAX = 1024 * 1024;
      await start({ maxBufferedBytes: MAX });
      const pinger = await join();
      pinger.socket.pause();
      const payload = new Uint8Array(64 * 1024);
      let pings = 0;
      let maxHeld = 0;
      while (fixture!.router.peerOutput(pinger.sessionId) !== undefined && pings < 5000) {
        pinger.sendPing(payload);
        pings++;
        maxHeld = Math.max(maxHeld, fixture!.router.peerOutput(pinger.sessionId)?.unsentBytes ?? 0);
        await tick();
        while (pinger.socket.writableLength > 0 && !pinger.socket.destroyed) await sleep(1);
      }
      expect(fixture!.router.peerOutput(pinger.sessionId), 'the pinger was dropped').to.equal(undefined);
      expect(maxHeld).to.be.at.most(MAX);
      pinger.socket.resume();
      await pinger.closed;
    });

    it('drops a RawSocket caller congested past stalledPeerTimeoutMs, which frees the callee it held', async () => {
      await start({ flowHighWaterMark: HIGH, flowLowWaterMark: LOW, stalledPeerTimeoutMs: 500 });
      const callee = await joinWebSocket();
      await callee.register('spec.rs.stream');
      const caller = await join();
      caller.socket.pause();
      caller.call('spec.rs.stream', [], {}, { receive_progress: true });
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      let sent = 0;
      while (!fixture!.router.peerOutput(callee.sessionId)!.readingPaused && sent < 20_000) {
        callee.send([M.YIELD, invocation[1], { progress: true }, [sent++, filler]]);
        if (sent % 16 === 0) await tick();
      }
      const interrupt = await callee.next((m) => m[0] === M.INTERRUPT, 10_000);
      expect(interrupt[1]).to.equal(invocation[1]);
      expect(fixture!.router.peerOutput(callee.sessionId)!.readingPaused).to.equal(false);
      caller.socket.resume();
      await caller.closed;
    });
  });

  describe('listening', () => {
    it('listens on a Unix socket: rs://unix:/path, joined like TCP, the file removed on close', async () => {
      fixture = await startEmbeddedRouter();
      const dir = mkdtempSync(joinPath(tmpdir(), 'rxwamp-rs-'));
      try {
        const path = joinPath(dir, 'router.sock');
        const address = await fixture.router.listenRawSocket({ path });
        expect(address).to.deep.equal({ url: `rs://unix:${path}`, path });
        const wire = track(await RawSocketWire.join({ path }, { serializer: 'cbor' }));
        expect(wire.sessionId).to.be.above(0);
        await fixture.stop();
        fixture = undefined;
        expect(existsSync(path)).to.equal(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('several listeners; close() says GOODBYE system_shutdown over RawSocket and stops every listener', async () => {
      await start();
      const second = await fixture!.router.listenRawSocket({ host: '127.0.0.1', port: 0 });
      const first = await join();
      const other = track(await RawSocketWire.join({ host: second.host!, port: second.port! }));
      const stopping = fixture!.router.close();
      const goodbye = await first.next((m) => m[0] === M.GOODBYE);
      expect(goodbye[2]).to.equal('wamp.close.system_shutdown');
      first.send([M.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      await other.next((m) => m[0] === M.GOODBYE);
      await stopping;
      await Promise.all([first.closed, other.closed]);
      for (const port of [(target as { port: number }).port, second.port!]) {
        const refused = await new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(false);
          });
          socket.once('error', () => resolve(true));
        });
        expect(refused, `port ${port} closed`).to.equal(true);
      }
      await expectRejection(fixture!.router.listenRawSocket({}), /closing/);
    });

    it('refuses bad listener options with a TypeError', async () => {
      await start();
      await expectRejection(fixture!.router.listenRawSocket({ maxConnections: 0 }), /maxConnections/);
      await expectRejection(fixture!.router.listenRawSocket({ ping: 'never' as never }), /ping/);
    });
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail('expected a rejection');
}
