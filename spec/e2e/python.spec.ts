import { expect } from 'chai';
import { concat, interval, lastValueFrom, of, take, toArray } from 'rxjs';
import { final, payload, type WampEvent } from '../../src/index.js';
import { usePythonPeers, type PythonPeer } from '../helpers/python-peer.js';
import {
  ARGS,
  expectPayload,
  expectPythonPayload,
  KWARGS,
  PYTHON_SERIALIZERS,
  registered,
  routerSubscribers,
  useRouterWithClients,
} from '../helpers/python-e2e.js';
import { until } from '../helpers/scripted-peer.js';

describe('e2e with Autobahn|Python as the other peer (embedded router)', function () {
  const e2e = useRouterWithClients();
  const startPeer = usePythonPeers();

  for (const serializer of PYTHON_SERIALIZERS) {
    describe(`over ${serializer}`, () => {
      const newClient = () => e2e.newClient(serializer);
      const python = (): Promise<PythonPeer> => startPeer(e2e.fixture.url, e2e.fixture.realm, serializer);
      const uri = (name: string) => `com.myapp.python.${serializer}.${name}`;

      it('Autobahn|Python joins over WebSocket; its session id is an int', async () => {
        const peer = await python();
        expect(peer.transport).to.equal('WampWebSocketClientProtocol');
        expect(peer.sessionType).to.equal('int');
        expect(Number.isSafeInteger(peer.sessionId) && peer.sessionId > 0).to.equal(true);
      });

      it('a Python callee sending progress: rxwamp call$ sees each progress, then the tagged final, then complete', async () => {
        const peer = await python();
        await peer.registerProgress(uri('longop'), 3);
        const results = await lastValueFrom(newClient().call$(uri('longop'), [3]).pipe(toArray()));
        expect(results.map((r) => [r.progress, r.args])).to.deep.equal([
          [true, [0]],
          [true, [1]],
          [true, [2]],
          [false, [3]],
        ]);
        const invoked = await peer.next('invoked');
        expect(invoked['progress']).to.equal(true); // details.progress was set: the router passed receive_progress on
        expect(invoked.types).to.deep.equal({ args: ['int'], kwargs: {} });
        await peer.next('returned');
      });

      it('rxwamp call$ unsubscribed mid-stream: the Python handler is cancelled', async () => {
        const peer = await python();
        await peer.registerProgress(uri('endless'), 100_000, 10);
        const results = await lastValueFrom(newClient().call$(uri('endless')).pipe(take(2), toArray()));
        expect(results.map((r) => [r.progress, r.args])).to.deep.equal([
          [true, [0]],
          [true, [1]],
        ]);
        const cancelled = await peer.next('cancelled');
        expect(cancelled['procedure']).to.equal(uri('endless'));
        expect(peer.events.some((event) => event.event === 'returned')).to.equal(false);
      });

      it('a Python caller with on_progress: rxwamp registerStream streams each progress, then the final', async () => {
        const peer = await python();
        const registration = await registered(newClient().registerStream(uri('stream'), ([n]) => concat(interval(5).pipe(take(n as number)), of(final(n)))));
        const { progress, final: ending } = await peer.call(uri('stream'), [3], {}, { onProgress: true });
        expect(progress.map((event) => event.args)).to.deep.equal([[0], [1], [2]]);
        expect(progress.map((event) => event.types)).to.deep.equal([0, 1, 2].map(() => ({ args: ['int'], kwargs: {} })));
        expect(ending.event).to.equal('result');
        expect(ending.args).to.deep.equal([3]);
        expect(ending.types).to.deep.equal({ args: ['int'], kwargs: {} });
        registration.stop();
      });

      it('Python publishes: rxwamp topic$ receives 2^32, 2^53−1 and bytes exactly', async () => {
        const peer = await python();
        const client = newClient();
        const topic = uri('to_rxwamp');
        const received: WampEvent[] = [];
        const subscription = client.topic$(topic).subscribe((event) => received.push(event));
        await until(() => routerSubscribers(e2e.fixture.router, e2e.fixture.realm, topic) === 1, 5000, 'the rxwamp subscription reached the router');
        await peer.publish(topic, ARGS, KWARGS);
        await until(() => received.length === 1, 5000, 'the event reached rxwamp');
        expectPayload(received[0]!.args, received[0]!.kwargs);
        subscription.unsubscribe();
      });

      it('rxwamp publishes: the Python subscriber receives 2^32, 2^53−1 as int and the bytes as bytes', async () => {
        const peer = await python();
        const topic = uri('to_python');
        await peer.subscribe(topic);
        await newClient().publish(topic, ARGS, KWARGS, { acknowledge: true });
        const event = await peer.next('event');
        expect(event['topic']).to.equal(topic);
        expectPythonPayload(event);
      });

      it('rxwamp calls a Python callee: 2^32, 2^53−1 and bytes arrive as int and bytes, and come back exact', async () => {
        const peer = await python();
        await peer.registerEcho(uri('echo'));
        const results = await lastValueFrom(newClient().call$(uri('echo'), ARGS, KWARGS).pipe(toArray()));
        expectPythonPayload(await peer.next('invoked'));
        expect(results.map((r) => r.progress)).to.deep.equal([false]);
        expectPayload(results[0]!.args, results[0]!.kwargs);
      });

      it('Python calls an rxwamp callee: 2^32, 2^53−1 and bytes arrive exact, and come back to Python as int and bytes', async () => {
        const peer = await python();
        const seen: Array<{ args: readonly unknown[]; kwargs: Record<string, unknown> }> = [];
        const registration = await registered(
          newClient().register(uri('rx_echo'), (args, kwargs) => {
            seen.push({ args, kwargs });
            return payload([...args], { ...kwargs });
          }),
        );
        const { final: ending } = await peer.call(uri('rx_echo'), ARGS, KWARGS);
        expect(seen).to.have.length(1);
        expectPayload(seen[0]!.args, seen[0]!.kwargs);
        expect(ending.event).to.equal('result');
        expectPythonPayload(ending);
        registration.stop();
      });
    });
  }
});
