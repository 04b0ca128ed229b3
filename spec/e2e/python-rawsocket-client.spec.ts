import { expect } from 'chai';
import { concat, interval, lastValueFrom, of, take, toArray } from 'rxjs';
import { final, payload, type WampEvent } from '../../src/index.js';
import { rawSocket } from '../../src/rawsocket.js';
import { usePythonPeers } from '../helpers/python-peer.js';
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
import { serializer as serializerEntry } from '../helpers/serializers.js';
import { useClients } from '../helpers/tracked-clients.js';

/**
 * rxwamp's own RawSocket client (rs://, `transports: [rawSocket]`) and Autobahn|Python's, both
 * on the embedded router's RawSocket listener, over JSON, CBOR and MessagePack: each is caller
 * and callee of the other, with progressive results and cancellation.
 */
describe('e2e: rxwamp over rs:// with Autobahn|Python over RawSocket (embedded router)', function () {
  this.timeout(30_000);
  const client = useClients({ transports: [rawSocket] });
  const e2e = useRouterWithClients();
  let rsUrl = '';
  const startPeer = usePythonPeers({ transport: 'rawsocket' });

  before(async () => {
    rsUrl = (await e2e.fixture.router.listenRawSocket({ host: '127.0.0.1', port: 0 })).url;
  });

  for (const serializer of PYTHON_SERIALIZERS) {
    describe(`over ${serializer}`, () => {
      const newClient = () => client({ url: rsUrl, realm: e2e.fixture.realm, serializers: [serializerEntry(serializer)] });
      const python = () => startPeer(rsUrl, e2e.fixture.realm, serializer);
      const uri = (name: string) => `com.myapp.rsclient.${serializer}.${name}`;

      it('rxwamp (rs://) calls a Python callee: each progressive result, then the final; 2^32, 2^53−1 and bytes exact', async () => {
        const peer = await python();
        await peer.registerProgress(uri('progress'), 3);
        await peer.registerEcho(uri('echo'));
        const rxwamp = newClient();
        const results = await lastValueFrom(rxwamp.call$(uri('progress')).pipe(toArray()));
        expect(results.map((r) => [r.progress, r.args])).to.deep.equal([
          [true, [0]],
          [true, [1]],
          [true, [2]],
          [false, [3]],
        ]);
        const [echoed] = await lastValueFrom(rxwamp.call$(uri('echo'), ARGS, KWARGS).pipe(toArray()));
        expectPayload(echoed!.args, echoed!.kwargs);
      });

      it('rxwamp (rs://) unsubscribes mid-stream: the Python callee is interrupted', async () => {
        const peer = await python();
        await peer.registerProgress(uri('endless'), 100_000, 10);
        const results = await lastValueFrom(newClient().call$(uri('endless')).pipe(take(2), toArray()));
        expect(results.map((r) => [r.progress, r.args])).to.deep.equal([
          [true, [0]],
          [true, [1]],
        ]);
        expect((await peer.next('cancelled'))['procedure']).to.equal(uri('endless'));
      });

      it('a Python caller calls an rxwamp (rs://) registerStream: each progress, then the final; payload exact both ways', async () => {
        const peer = await python();
        const rxwamp = newClient();
        const stream = await registered(rxwamp.registerStream(uri('stream'), ([n]) => concat(interval(5).pipe(take(n as number)), of(final(n)))));
        const echo = await registered(rxwamp.register(uri('rx_echo'), (args, kwargs) => payload([...args], { ...kwargs })));
        const { progress, final: ending } = await peer.call(uri('stream'), [3], {}, { onProgress: true });
        expect(progress.map((event) => event.args)).to.deep.equal([[0], [1], [2]]);
        expect(ending.event).to.equal('result');
        expect(ending.args).to.deep.equal([3]);
        const echoed = await peer.call(uri('rx_echo'), ARGS, KWARGS);
        expect(echoed.final.event).to.equal('result');
        expectPythonPayload(echoed.final);
        stream.stop();
        echo.stop();
      });

      it('events both ways between rxwamp (rs://) and Python (RawSocket)', async () => {
        const peer = await python();
        const rxwamp = newClient();
        await peer.subscribe(uri('to_python'));
        await rxwamp.publish(uri('to_python'), ARGS, KWARGS, { acknowledge: true });
        expectPythonPayload(await peer.next('event'));

        const received: WampEvent[] = [];
        const subscription = rxwamp.topic$(uri('to_rxwamp')).subscribe((event) => received.push(event));
        await until(() => routerSubscribers(e2e.fixture.router, e2e.fixture.realm, uri('to_rxwamp')) === 1, 5000, 'the rxwamp subscription reached the router');
        await peer.publish(uri('to_rxwamp'), ARGS, KWARGS);
        await until(() => received.length === 1, 5000, 'the Python event reached rxwamp');
        expectPayload(received[0]!.args, received[0]!.kwargs);
        subscription.unsubscribe();
      });
    });
  }
});
