import { WampClient } from '../../src/index.js';

type ClientOptions = ConstructorParameters<typeof WampClient>[0];

/**
 * rxwamp clients for the running tests, each made with `defaults` under its own options and
 * closed after each test (a close that fails does not fail the test). Call it before the
 * block's own afterEach hooks, so that the clients close before what they are connected to.
 */
export function useClients(defaults: Partial<ClientOptions> = {}): (options: ClientOptions) => WampClient {
  const clients: WampClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  });
  return (options) => {
    const client = new WampClient({ ...defaults, ...options });
    clients.push(client);
    return client;
  };
}
