import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalize, interval, lastValueFrom, toArray } from 'rxjs';
import { payload } from '../../src/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { startEmbeddedRouter } from '../helpers/embedded-router.js';
import { startPythonPeer, usePythonPeers } from '../helpers/python-peer.js';
import { PYTHON_SERIALIZERS, registered, useRouterWithClients } from '../helpers/python-e2e.js';
import { eventsBothWays, pythonCallsRxwamp, rxwampCallsPython, rxwampCancelsPython } from '../helpers/python-scenarios.js';
import { RawSocketWire } from '../helpers/rawsocket-wire.js';
import { until } from '../helpers/scripted-peer.js';

/**
 * Autobahn|Python (Debian's python3-autobahn, asyncio) over WAMP-RawSocket against the embedded
 * router's RawSocket listener, with rxwamp WebSocket clients on the other side of calls and
 * events so that traffic crosses transports: caller and callee, progressive results and
 * cancellation, over JSON, CBOR and MessagePack. (Autobahn 22.7's asyncio RawSocket client
 * needs a backported fix to join at all, and cannot answer a PING: see rawsocket_peer.py, and
 * the router's default ping policy.)
 */

const RAWSOCKET_TRANSPORT = 'WampRawSocketClientProtocol';

describe('e2e with Autobahn|Python over WAMP-RawSocket (embedded router)', function () {
  this.timeout(30_000);
  const e2e = useRouterWithClients();
  let rsUrl = '';
  let rsTarget: { host: string; port: number };
  const startPeer = usePythonPeers({ transport: 'rawsocket' });

  before(async () => {
    const address = await e2e.fixture.router.listenRawSocket({ host: '127.0.0.1', port: 0 });
    rsUrl = address.url;
    rsTarget = { host: address.host!, port: address.port! };
  });

  for (const serializer of PYTHON_SERIALIZERS) {
    describe(`over ${serializer}`, () => {
      /** An rxwamp client over WebSocket, with the same serializer. */
      const newClient = () => e2e.newClient(serializer);
      const python = () => startPeer(rsUrl, e2e.fixture.realm, serializer);
      const uri = (name: string) => `com.myapp.rawsocket.${serializer}.${name}`;

      it('Autobahn|Python joins over RawSocket; its session id is an int', async () => {
        const peer = await python();
        expect(peer.transport).to.equal(RAWSOCKET_TRANSPORT);
        expect(peer.sessionType).to.equal('int');
        expect(Number.isSafeInteger(peer.sessionId) && peer.sessionId > 0).to.equal(true);
      });

      it('Python caller and Python callee, both on RawSocket: each progressive result, then the final', async () => {
        const callee = await python();
        const caller = await python();
        await callee.registerProgress(uri('longop'), 3);
        const { progress, final: ending } = await caller.call(uri('longop'), [], {}, { onProgress: true });
        expect(progress.map((event) => event.args)).to.deep.equal([[0], [1], [2]]);
        expect(progress.map((event) => event.types)).to.deep.equal([0, 1, 2].map(() => ({ args: ['int'], kwargs: {} })));
        expect(ending.event).to.equal('result');
        expect(ending.args).to.deep.equal([3]);
        expect((await callee.next('invoked'))['progress']).to.equal(true);
        await callee.next('returned');
      });

      it('rxwamp (WebSocket) calls a Python callee on RawSocket: progress, then the tagged final; 2^32, 2^53−1 and bytes exact', async () => {
        await rxwampCallsPython(newClient(), await python(), uri);
      });

      it('rxwamp (WebSocket) unsubscribes mid-stream: the Python callee on RawSocket is interrupted and answers wamp.error.canceled', async () => {
        await rxwampCancelsPython(newClient(), await python(), uri);
      });

      it('a Python caller on RawSocket calls an rxwamp (WebSocket) registerStream: each progress, then the final; payload exact both ways', async () => {
        await pythonCallsRxwamp(newClient(), await python(), uri);
      });

      it("a Python caller on RawSocket cancels (mode kill) a call to an rxwamp (WebSocket) callee: the callee's stream is torn down, the session goes on", async () => {
        const peer = await python();
        const client = newClient();
        let tornDown = false;
        const stream = await registered(
          client.registerStream(uri('ticks'), () =>
            interval(10).pipe(
              finalize(() => {
                tornDown = true;
              }),
            ),
          ),
        );
        const { progress, final: ending } = await peer.callAndCancel(uri('ticks'), 2, 'kill');
        expect(ending.event).to.equal('call_cancelled');
        expect(progress.slice(0, 2).map((event) => event.args)).to.deep.equal([[0], [1]]);
        await until(() => tornDown, 5000, "the rxwamp callee's stream torn down");
        const echo = await registered(client.register(uri('after_cancel'), () => payload(['still here'])));
        expect((await peer.call(uri('after_cancel'))).final.args).to.deep.equal(['still here']);
        stream.stop();
        echo.stop();
      });

      it("a Python caller cancels a Python callee, both on RawSocket: the callee's handler is cancelled", async () => {
        const callee = await python();
        const caller = await python();
        await callee.registerProgress(uri('endless_py'), 100_000, 10);
        const { final: ending } = await caller.callAndCancel(uri('endless_py'), 2, 'kill');
        expect(ending.event).to.equal('call_cancelled');
        expect((await callee.next('cancelled'))['procedure']).to.equal(uri('endless_py'));
      });

      it('events cross transports: Python on RawSocket publishes to rxwamp on WebSocket, and the other way', async () => {
        await eventsBothWays(newClient(), await python(), e2e.fixture, uri);
      });
    });
  }

  it("a Python caller's CANCEL says its mode: a scripted RawSocket callee gets INTERRUPT mode kill (the router's default would be killnowait)", async () => {
    const callee = await RawSocketWire.join(rsTarget);
    try {
      await callee.register('com.myapp.rawsocket.scripted');
      const peer = await startPeer(rsUrl, e2e.fixture.realm, 'json');
      const outcome = peer.callAndCancel('com.myapp.rawsocket.scripted', 1, 'kill');
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      callee.send([M.YIELD, invocation[1], { progress: true }, ['first']]);
      const interrupt = await callee.next((m) => m[0] === M.INTERRUPT);
      expect(interrupt[1]).to.equal(invocation[1]);
      expect(interrupt[2]).to.deep.include({ mode: 'kill' });
      callee.send([M.ERROR, M.INVOCATION, invocation[1], {}, 'wamp.error.canceled']);
      expect((await outcome).final.event).to.equal('call_cancelled');
      // The router's ERROR for the cancelled call reached Python, which stays joined.
      await peer.registerEcho('com.myapp.rawsocket.after_scripted');
      expect((await peer.call('com.myapp.rawsocket.after_scripted', ['ok'])).final.args).to.deep.equal(['ok']);
    } finally {
      await callee.close();
    }
  });

  it('over a Unix socket (rs://unix:/path): Autobahn|Python joins and serves an rxwamp WebSocket caller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxwamp-rs-py-'));
    try {
      const { url } = await e2e.fixture.router.listenRawSocket({ path: join(dir, 'router.sock') });
      expect(url).to.equal(`rs://unix:${join(dir, 'router.sock')}`);
      const peer = await startPeer(url, e2e.fixture.realm, 'cbor');
      expect(peer.transport).to.equal(RAWSOCKET_TRANSPORT);
      await peer.registerEcho('com.myapp.rawsocket.unix.echo');
      const [result] = await lastValueFrom(e2e.newClient('json').call$('com.myapp.rawsocket.unix.echo', ['over unix']).pipe(toArray()));
      expect(result!.args).to.deep.equal(['over unix']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the router does not PING Autobahn|Python (which cannot answer one) while it pings a peer that pings', async () => {
    const pinging = await startEmbeddedRouter({ pingInterval: 100, pongTimeout: 500 });
    try {
      const address = await pinging.router.listenRawSocket({});
      const peer = await startPythonPeer(address.url, pinging.realm, 'json', { transport: 'rawsocket' });
      try {
        await peer.registerEcho('com.myapp.rawsocket.alive');
        const witness = await RawSocketWire.join({ host: address.host!, port: address.port! });
        witness.sendPing(Uint8Array.of(1));
        // Three pings to the witness: Python, joined first, had as long to be pinged (and be dropped by it).
        await witness.until(() => witness.pings.length >= 3, 'three router PINGs to the witness');
        await witness.close();
        const [result] = await lastValueFrom(e2e.newClient('json', pinging).call$('com.myapp.rawsocket.alive', ['ok']).pipe(toArray()));
        expect(result!.args).to.deep.equal(['ok']);
        expect(peer.events.some((event) => event.event === 'left')).to.equal(false);
      } finally {
        await peer.close();
      }
    } finally {
      await pinging.stop();
    }
  });
});
