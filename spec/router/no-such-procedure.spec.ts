import { expect } from 'chai';
import { lastValueFrom } from 'rxjs';
import { ErrorUri, ready, WampClient, WampError } from '../../src/index.js';
import { describeOnEachTransport, startRouter, type RouterFixture } from '../helpers/embedded-router.js';

// Issue #20: the usual reason nobody has registered a procedure is a register() Observable
// that was never subscribed; the router's no_such_procedure message says so (the URI stays).
describeOnEachTransport('router: no_such_procedure says why a procedure may be missing', (transport) => {
  let router: RouterFixture;
  const clients: WampClient[] = [];
  const newClient = () => {
    const client = new WampClient({ ...router.clientOptions(), realm: router.realm, reconnect: false });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    router = await startRouter(transport);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await router.stop();
  });

  const callError = (client: WampClient, procedure: string) =>
    lastValueFrom(client.call$(procedure)).then(
      () => expect.fail(`${procedure} answered`),
      (error: unknown) => error,
    );

  it('a call to a procedure nobody registered: the URI, and the hint about subscribing', async () => {
    const error = await callError(newClient(), 'com.example.nobody_home');
    expect(error).to.be.instanceOf(WampError);
    expect((error as WampError).uri).to.equal(ErrorUri.noSuchProcedure);
    expect((error as WampError).message).to.equal(
      'wamp.error.no_such_procedure: no callee has registered "com.example.nobody_home" ' +
        "(an rxwamp callee's register(), registerStream() or registerDuplex() Observable registers only while it is subscribed)",
    );
  });

  it('register() that was never subscribed gets the caller that message; subscribed, the call is answered', async () => {
    const callee = newClient();
    const caller = newClient();
    const registration$ = callee.register('com.example.add', ([a, b]) => (a as number) + (b as number));
    await callee.connect();
    const error = await callError(caller, 'com.example.add');
    expect(error).to.be.instanceOf(WampError).and.to.have.property('message').that.contains('registers only while it is subscribed');

    const held = await ready(registration$);
    try {
      const [result] = await lastValueFrom(caller.call$('com.example.add', [2, 3])).then((answer) => answer.args);
      expect(result).to.equal(5);
    } finally {
      held.unsubscribe();
    }
  });
});
