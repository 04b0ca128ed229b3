// RouterOptions.serializers: the router speaks what it is given (JSON alone by default, since
// cbor-x and msgpackr are optional packages), and a client with no serializer in common is
// refused in a way the client can report.
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { cbor } from '../../src/cbor.js';
import { WampConnectionError, type ConnectionState } from '../../src/index.js';
import { msgpack } from '../../src/msgpack.js';
import { MessageType } from '../../src/protocol/index.js';
import { Router } from '../../src/router/index.js';
import type { WebSocketLike } from '../../src/transport/websocket.js';
import { describeOnEachTransport, startRouter, type RouterFixture, type TransportPeer } from '../helpers/embedded-router.js';
import { until } from '../helpers/scripted-peer.js';
import { useClients } from '../helpers/tracked-clients.js';
import { failure } from '../helpers/failure.js';

describe('router: serializers (RouterOptions.serializers) at construction', () => {
  it('speaks JSON alone by default, and exactly the serializers it is given otherwise', async () => {
    const byDefault = new Router({ realms: ['realm1'] });
    const all = new Router({ realms: ['realm1'], serializers: ['json', cbor, msgpack] });
    const cborOnly = new Router({ realms: ['realm1'], serializers: [cbor] });
    try {
      expect(byDefault.subprotocols).to.deep.equal(['wamp.2.json']);
      expect(all.subprotocols).to.deep.equal(['wamp.2.json', 'wamp.2.cbor', 'wamp.2.msgpack']);
      expect(cborOnly.subprotocols).to.deep.equal(['wamp.2.cbor']);
    } finally {
      await Promise.all([byDefault.close(), all.close(), cborOnly.close()]);
    }
  });

  it('refuses a wrong serializers option at construction, saying what to pass', () => {
    const build = (serializers: unknown) => () => new Router({ realms: ['realm1'], serializers: serializers as [] });
    expect(build([])).to.throw(TypeError, "router option serializers must be a non-empty list, e.g. ['json'] or ['json', cbor, msgpack]");
    expect(build('json')).to.throw(TypeError, /must be a non-empty list/);
    expect(build(['json', 'cbor'])).to.throw(
      TypeError,
      `router option serializers: "cbor" is not built in: import { cbor } from 'rxwamp/cbor' and pass it, e.g. serializers: ['json', cbor]`,
    );
    expect(build(['msgpack'])).to.throw(TypeError, /import \{ msgpack \} from 'rxwamp\/msgpack'/);
    expect(build(['xml'])).to.throw(TypeError, /unknown serializer "xml"/);
    expect(build([{ subprotocol: 'wamp.2.json' }])).to.throw(TypeError, /unknown serializer object/);
    expect(build(['json', cbor, 'json'])).to.throw(TypeError, 'router option serializers lists wamp.2.json twice');
  });
});

describeOnEachTransport('router: serializers (RouterOptions.serializers)', (transport) => {
  let fixture: RouterFixture | undefined;
  const peers: TransportPeer[] = [];
  const start = async (serializers: ConstructorParameters<typeof Router>[0]['serializers']) => {
    fixture = await startRouter(transport, { serializers });
    return fixture;
  };
  /** A plain WebSocket of the transport (ws, or the in-memory one) offering these subprotocols. */
  const openSocket = (protocols: string[]): WebSocketLike => {
    const { url, WebSocket: Socket = WebSocket } = fixture!.clientOptions();
    return new Socket(url, protocols);
  };
  const newClient = useClients({ reconnect: false });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
    await fixture?.stop();
    fixture = undefined;
  });

  it('takes the first subprotocol the client offers that it speaks, whatever order it was given them in', async () => {
    const router = await start([msgpack, 'json']);
    const socket = openSocket(['wamp.2.cbor', 'wamp.2.json', 'wamp.2.msgpack']);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    expect(socket.protocol).to.equal('wamp.2.json');
    socket.close();
    const client = newClient({ ...router.clientOptions(), realm: 'realm1', serializers: [cbor, msgpack, 'json'] });
    await client.connect();
    const peer = await router.joinPeer('realm1', { serializer: 'msgpack' });
    peers.push(peer);
    expect(peer.protocol).to.equal('wamp.2.msgpack');
  });

  it('a JSON-only router refuses a CBOR-only client: connect() fails and state$ says why, with no session', async () => {
    const started = await start(['json']);
    const { router } = started;
    const client = newClient({ ...started.clientOptions(), realm: 'realm1', serializers: [cbor] });
    const states: ConnectionState[] = [];
    client.state$.subscribe((state) => states.push(state));
    const error = await failure(client.connect());
    expect(error).to.be.instanceOf(WampConnectionError);
    expect((error as WampConnectionError).code).to.equal('connect-failed');
    expect((error as Error).message).to.match(/subprotocol/i);
    await until(() => states.at(-1)?.status === 'closed');
    const closed = states.at(-1) as Extract<ConnectionState, { status: 'closed' }>;
    expect(closed.willRetry).to.equal(false);
    expect(closed.error.message).to.match(/subprotocol/i);
    expect(router.sessionCount('realm1')).to.equal(0);

    // The same router still serves a client that offers JSON too.
    const both = newClient({ ...started.clientOptions(), realm: 'realm1', serializers: [cbor, 'json'] });
    // Stays subscribed: unsubscribing would UNREGISTER.
    await new Promise((resolve, reject) => void both.register('com.serializers.echo', ([value]) => value).subscribe({ next: resolve, error: reject }));
    expect((await firstValueFrom(both.call$('com.serializers.echo', ['over json']))).args).to.deep.equal(['over json']);
  });

  it('a WebSocket that offers no subprotocol at all is closed with 1002 before any WAMP message', async () => {
    await start(['json']);
    const socket = openSocket([]);
    const received: unknown[] = [];
    socket.onmessage = (event: { data: unknown }) => received.push(event.data);
    socket.onerror = () => undefined;
    const [code, reason] = await new Promise<[number, string]>((resolve) => {
      socket.onclose = (event: { code: number; reason: string }) => resolve([event.code, event.reason]);
    });
    expect([code, reason, received]).to.deep.equal([1002, 'no supported WAMP subprotocol offered', []]);
  });

  it('a CBOR-only router serves CBOR and refuses JSON', async () => {
    const router = await start([cbor]);
    const peer = await router.joinPeer('realm1', { serializer: 'cbor' });
    peers.push(peer);
    expect(peer.protocol).to.equal('wamp.2.cbor');
    const json = newClient({ ...router.clientOptions(), realm: 'realm1' });
    expect(await failure(json.connect())).to.be.instanceOf(WampConnectionError);
    const welcome = await router.openPeer('cbor');
    peers.push(welcome);
    expect((await welcome.hello('realm1'))[0]).to.equal(MessageType.WELCOME);
  });
});
