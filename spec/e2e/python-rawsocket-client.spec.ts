import { rawSocket } from '../../src/rawsocket.js';
import { usePythonPeers } from '../helpers/python-peer.js';
import { PYTHON_SERIALIZERS, useRouterWithClients } from '../helpers/python-e2e.js';
import { eventsBothWays, pythonCallsRxwamp, rxwampCallsPython, rxwampCancelsPython } from '../helpers/python-scenarios.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';
import { useClients } from '../helpers/tracked-clients.js';

/**
 * rxwamp's own RawSocket client (rs://, `transports: [rawSocket]`) and Autobahn|Python's, both
 * on the embedded router's RawSocket listener, over JSON, CBOR and MessagePack: each is caller
 * and callee of the other, with progressive results and cancellation (the scenarios of
 * spec/helpers/python-scenarios.ts, which python-rawsocket.spec.ts runs with rxwamp on WebSocket).
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
        await rxwampCallsPython(newClient(), await python(), uri);
      });

      it('rxwamp (rs://) unsubscribes mid-stream: the Python callee is interrupted', async () => {
        await rxwampCancelsPython(newClient(), await python(), uri);
      });

      it('a Python caller calls an rxwamp (rs://) registerStream: each progress, then the final; payload exact both ways', async () => {
        await pythonCallsRxwamp(newClient(), await python(), uri);
      });

      it('events both ways between rxwamp (rs://) and Python (RawSocket)', async () => {
        await eventsBothWays(newClient(), await python(), e2e.fixture, uri);
      });
    });
  }
});
