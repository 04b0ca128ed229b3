import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { WampClient, WampConnectionError, type ConnectionState, type WampClientOptions } from '../../src/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';

/** An HTTP server on 127.0.0.1 (free port) that answers every WebSocket upgrade with `status`. */
async function refusingServer(status: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => response.writeHead(500).end());
  server.on('upgrade', (_request, socket) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const stopped = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** The first state$ value with this status. */
function firstState<S extends ConnectionState['status']>(client: WampClient, status: S): Promise<Extract<ConnectionState, { status: S }>> {
  return firstValueFrom(client.state$.pipe(filter((state): state is Extract<ConnectionState, { status: S }> => state.status === status)));
}

// Issue #20: an HTTP answer other than 101 to the upgrade used to reach the application as
// ws's "Unexpected server response: 404"; it now says what the server answered and, for a 404,
// which path to check.
describe('e2e: the router answers the WebSocket upgrade with an HTTP error', () => {
  const servers: Server[] = [];
  const clients: WampClient[] = [];
  let router: EmbeddedRouter | undefined;

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map(stopped));
    await router?.stop();
    router = undefined;
  });

  /** A client of `url`; without reconnecting unless other options are given. */
  const newClient = (url: string, options: Partial<WampClientOptions> = { reconnect: false }) => {
    const client = new WampClient({ ...options, url, realm: 'realm1' });
    clients.push(client);
    return client;
  };

  it('404: call$ and state$ get a connect-failed error that names the path and what to check', async () => {
    const { server, port } = await refusingServer('404 Not Found');
    servers.push(server);
    const url = `ws://127.0.0.1:${port}/wrong`;
    const client = newClient(url);
    const closed = firstState(client, 'closed');
    const error: unknown = await lastValueFrom(client.call$('com.example.anything')).then(
      () => expect.fail('the call succeeded'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WampConnectionError);
    expect(error).to.include({ code: 'connect-failed', retryable: true });
    expect((error as Error).message).to.equal(
      `cannot connect to ${url}: HTTP 404 to the WebSocket upgrade: ` + `is /wrong the router's WebSocket path? (rxwamp-router's is /ws)`,
    );
    expect((await closed).error).to.equal(error);
  });

  it('another status: says which one, without the path hint', async () => {
    const { server, port } = await refusingServer('503 Service Unavailable');
    servers.push(server);
    const url = `ws://127.0.0.1:${port}/ws`;
    const client = newClient(url);
    const closed = firstState(client, 'closed');
    const error: unknown = await client.connect().then(
      () => expect.fail('connected'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WampConnectionError);
    expect((error as Error).message).to.equal(`cannot connect to ${url}: HTTP 503 to the WebSocket upgrade`);
    expect((await closed).error).to.equal(error);
  });

  it('the embedded router on a wrong path, default options: state$ and connect() carry the explanation', async () => {
    router = await startEmbeddedRouter();
    const url = router.url.replace(/\/ws$/, '/wamp');
    const client = newClient(url, {});
    const closed = firstState(client, 'closed');
    const refused: unknown = await client.connect().then(
      () => expect.fail('connected'),
      (e: unknown) => e,
    );
    const { error } = await closed; // a first connection that fails is not retried (see ConnectionState)
    expect(error).to.equal(refused).and.to.be.instanceOf(WampConnectionError);
    expect(error.message).to.equal(
      `cannot connect to ${url}: HTTP 404 to the WebSocket upgrade: ` + `is /wamp the router's WebSocket path? (rxwamp-router's is /ws)`,
    );
  });

  it('an http:// URL still opens the router at that path as ws:// (as before)', async () => {
    router = await startEmbeddedRouter();
    const client = newClient(router.url.replace(/^ws:/, 'http:'));
    const session = await client.connect();
    expect(session.realm).to.equal('realm1');
  });
});
