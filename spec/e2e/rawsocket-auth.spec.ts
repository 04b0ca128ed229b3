import { expect } from 'chai';
import { filter, firstValueFrom } from 'rxjs';
import { WampClient, WampError, type ConnectionState, type SerializerName } from '../../src/index.js';
import { ticket } from '../../src/auth.js';
import { rawSocket } from '../../src/rawsocket.js';
import { Router, ticketAuth } from '../../src/router/index.js';
import { ALL_SERIALIZERS } from '../helpers/codecs.js';
import { serializer } from '../helpers/serializers.js';

/**
 * Authentication over WAMP-RawSocket (#21: "auth works unchanged on it"): the CHALLENGE/AUTHENTICATE
 * handshake travels in RawSocket frames like any other message, granted identity and refusal included.
 */
describe('e2e: authentication over WAMP-RawSocket (rs://)', function () {
  this.timeout(20_000);
  let router: Router;
  let url = '';
  const clients: WampClient[] = [];

  before(async () => {
    router = new Router({
      realms: ['realm1'],
      serializers: ALL_SERIALIZERS,
      authenticators: [ticketAuth({ principals: { joe: { ticket: 'secret', authrole: 'user' } } })],
    });
    url = (await router.listenRawSocket({ host: '127.0.0.1', port: 0 })).url;
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await router.close();
  });

  const client = (name: SerializerName, secret: string) => {
    const made = new WampClient({
      url,
      realm: 'realm1',
      serializers: [serializer(name)],
      transports: [rawSocket],
      auth: ticket({ authid: 'joe', ticket: secret }),
    });
    clients.push(made);
    return made;
  };

  for (const name of ['json', 'cbor', 'msgpack'] as const) {
    it(`ticket over ${name}: joins with the granted identity; a wrong ticket is refused once, without retries`, async () => {
      const session = await client(name, 'secret').connect();
      expect([session.authid, session.authrole, session.authmethod]).to.deep.equal(['joe', 'user', 'ticket']);

      const refused = client(name, 'wrong');
      const states: ConnectionState['status'][] = [];
      refused.state$.subscribe((state) => states.push(state.status));
      const error = await refused.connect().catch((reason: unknown) => reason);
      expect(error).to.be.instanceOf(WampError);
      expect((error as WampError).uri).to.equal('wamp.error.authentication_denied');
      await firstValueFrom(refused.state$.pipe(filter((state) => state.status === 'closed')));
      expect(states).to.deep.equal(['idle', 'connecting', 'closed']);
    });
  }
});
