import { expect } from 'chai';
import { filter, firstValueFrom, interval, lastValueFrom, map, Observable, take, toArray, type Subscription } from 'rxjs';
import { cbor } from '../../src/cbor.js';
import { WampClient, WampError, type CallResult } from '../../src/index.js';
import { createTestRouter, type TestRouter } from '../../src/testing.js';

/** Timers (setTimeout/setInterval) alive in this process now. */
const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/** Subscribes once; resolves with the subscription when the registration is acknowledged (its first value). */
const held = (registration: Observable<unknown>) =>
  new Promise<Subscription>((resolve, reject) => {
    const subscription: Subscription = registration.subscribe({ next: () => resolve(subscription), error: reject });
  });

describe('rxwamp/testing: createTestRouter', () => {
  let router: TestRouter;
  beforeEach(() => {
    router = createTestRouter();
  });
  afterEach(() => router.close());

  it("client() resolves with a joined client; view() lists its session, registration and subscription with the router's ids", async () => {
    const client = await router.client();
    expect(client.state.status).to.equal('open');
    const registration = client.register('com.example.add', ([a, b]) => Number(a) + Number(b));
    const registered = await held(registration);
    const topic = client.topic$('com.example.news').subscribe();
    await router.waitFor(() => router.view().subscriptions.length === 1);
    const view = router.view();
    expect(view.sessions).to.deep.equal([{ id: client.session!.id, authid: view.sessions[0]!.authid, authrole: 'anonymous', authmethod: 'anonymous' }]);
    expect(view.registrations.map(({ procedure, match, invoke, callees }) => ({ procedure, match, invoke, callees }))).to.deep.equal([
      { procedure: 'com.example.add', match: 'exact', invoke: 'single', callees: [client.session!.id] },
    ]);
    expect(view.subscriptions.map(({ topic: uri, subscribers }) => ({ uri, subscribers }))).to.deep.equal([
      { uri: 'com.example.news', subscribers: [client.session!.id] },
    ]);
    const [result] = await lastValueFrom(client.call$('com.example.add', [2, 3]).pipe(toArray()));
    expect(result!.args).to.deep.equal([5]);
    registered.unsubscribe();
    topic.unsubscribe();
    await router.waitFor(() => router.view().registrations.length === 0 && router.view().subscriptions.length === 0);
  });

  it('messages lists every message both ways, decoded, with its session; waitForMessage finds past and future ones', async () => {
    const client = await router.client();
    const hello = await router.waitForMessage((m) => m.type === 'HELLO');
    expect(hello).to.include({ direction: 'to-router', session: undefined });
    expect(hello.message[1]).to.equal('realm1');
    const welcome = await router.waitForMessage((m) => m.type === 'WELCOME');
    expect(welcome).to.include({ direction: 'from-router', session: client.session!.id });
    const published = router.waitForMessage((m) => m.type === 'PUBLISH');
    await client.publish('com.example.topic', ['hi'], { n: 1 });
    const publish = await published;
    expect(publish.message.slice(3)).to.deep.equal(['com.example.topic', ['hi'], { n: 1 }]);
    expect(publish.session).to.equal(client.session!.id);
    expect(router.messages.map((m) => m.type)).to.deep.equal(['HELLO', 'WELCOME', 'PUBLISH']);
  });

  it('shows a call in flight, and unsubscribing sends CANCEL, the callee gets INTERRUPT and its stream is torn down', async () => {
    const callee = await router.client();
    let tornDown = false;
    const registration = callee.registerStream(
      'com.example.longop',
      () =>
        new Observable<number>((subscriber) => {
          subscriber.next(0);
          return () => {
            tornDown = true;
          };
        }),
    );
    const registered = await held(registration);
    const caller = await router.client();
    const progress: CallResult[] = [];
    const call = caller.call$('com.example.longop', [3]).subscribe((result) => progress.push(result));
    await router.waitFor(() => progress.length === 1);
    const [inFlight] = router.view().calls;
    expect(inFlight).to.include({ procedure: 'com.example.longop', caller: caller.session!.id, callee: callee.session!.id, progressive: true });
    call.unsubscribe();
    const cancel = await router.waitForMessage((m) => m.type === 'CANCEL');
    expect(cancel.session).to.equal(caller.session!.id);
    expect(cancel.message[2]).to.deep.equal({ mode: 'kill' });
    const interrupt = await router.waitForMessage((m) => m.type === 'INTERRUPT');
    expect(interrupt.session).to.equal(callee.session!.id);
    await router.waitFor(() => tornDown && router.view().calls.length === 0);
    registered.unsubscribe();
  });

  it('drop(client) loses the connection (1006, no GOODBYE); the router releases the session and the client rejoins', async () => {
    const client = await router.client({ reconnect: { initialDelay: 1, jitter: 0 } });
    const firstSession = client.session!.id;
    const states: string[] = [];
    const watched = client.state$.pipe(map((state) => state.status)).subscribe((status) => states.push(status));
    router.drop(client);
    await firstValueFrom(client.state$.pipe(filter((state) => state.status === 'reconnecting')));
    await firstValueFrom(client.state$.pipe(filter((state) => state.status === 'open' && client.session?.id !== firstSession)));
    expect(states).to.include.members(['reconnecting', 'open']);
    expect(router.messages.some((m) => m.type === 'GOODBYE')).to.equal(false);
    expect(router.view().sessions.map((session) => session.id)).to.deep.equal([client.session!.id]);
    watched.unsubscribe();
  });

  it('drop(sessionId) loses the connection of a client the application built itself with router.WebSocket', async () => {
    const client = new WampClient({ url: router.url, realm: 'realm1', WebSocket: router.WebSocket, reconnect: false });
    try {
      const { id } = await client.connect();
      router.drop(id);
      const closed = await firstValueFrom(client.state$.pipe(filter((state) => state.status === 'closed')));
      expect(closed.status).to.equal('closed');
      await router.waitFor(() => router.view().sessions.length === 0);
      expect(() => router.drop(id)).to.throw(TypeError, /no connection with session/);
    } finally {
      await client.close();
    }
  });

  it('freeze() holds every message both ways until thaw(); then they arrive in order', async () => {
    const callee = await router.client();
    const registration = callee.register('com.example.echo', (args) => args[0]);
    const registered = await held(registration);
    const caller = await router.client();
    router.freeze();
    const seenBefore = router.messages.length;
    let answered = false;
    const result = lastValueFrom(caller.call$('com.example.echo', ['held'])).then((value) => {
      answered = true;
      return value;
    });
    // Give the client every chance to get an answer from a frozen router: many promise jobs and a macrotask.
    for (let turn = 0; turn < 50; turn++) await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).to.equal(false);
    expect(router.messages.length).to.equal(seenBefore);
    router.thaw();
    expect((await result).args).to.deep.equal(['held']);
    expect(router.messages.slice(seenBefore).map((m) => m.type)).to.deep.equal(['CALL', 'INVOCATION', 'YIELD', 'RESULT']);
    registered.unsubscribe();
  });

  it('close() closes its clients, says GOODBYE, rejects pending waits and leaves no timer nor connection', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const timersBefore = activeTimers();
    const callee = await router.client();
    callee.registerStream('com.example.forever', () => interval(5)).subscribe();
    const other = new WampClient({ url: router.url, realm: 'realm1', WebSocket: router.WebSocket, reconnect: false });
    await other.connect();
    const never = router.waitForMessage((m) => m.type === 'EVENT');
    await router.close();
    await other.close();
    const error = await never.then(
      () => undefined,
      (reason: Error) => reason,
    );
    expect(error?.message).to.match(/closed before the condition held/);
    expect(callee.state.status).to.equal('closed');
    expect(router.messages.filter((m) => m.type === 'GOODBYE').length).to.be.greaterThan(0);
    expect(activeTimers()).to.equal(timersBefore);
    await router.close(); // again: the same promise, no error
    let refused: unknown;
    await router.client().catch((reason: unknown) => (refused = reason));
    expect(String(refused)).to.match(/closed/);
  });

  it('a condition or match that throws rejects its own wait; the other waits and the traffic go on', async () => {
    const client = await router.client();
    let armed = false;
    const throwing = router.waitFor(() => {
      if (armed) throw new Error('a bug in the test');
      return false;
    });
    const throwingMatch = router.waitForMessage((m) => {
      if (m.type === 'PUBLISH') throw new TypeError('another bug');
      return false;
    });
    const published = router.waitForMessage((m) => m.type === 'PUBLISHED');
    armed = true;
    await client.publish('com.example.topic', [1], {}, { acknowledge: true });
    expect((await published).direction).to.equal('from-router');
    const [first, second] = await Promise.all([throwing.catch((error: unknown) => error), throwingMatch.catch((error: unknown) => error)]);
    expect(String(first)).to.equal('Error: a bug in the test');
    expect(String(second)).to.equal('TypeError: another bug');
    await client.publish('com.example.topic', [2], {}, { acknowledge: true });
    expect(router.messages.filter((m) => m.type === 'PUBLISHED')).to.have.length(2);
  });

  it('a text frame with a lone surrogate arrives as U+FFFD, as over a WebSocket (UTF-8 on the wire)', async () => {
    const socket = new router.WebSocket(router.url, ['wamp.2.json']);
    const received: string[] = [];
    socket.onmessage = (event: { data: unknown }) => received.push(String(event.data));
    await new Promise((resolve) => (socket.onopen = resolve));
    socket.send('[1,"realm1",{"roles":{"publisher":{}}}]');
    await router.waitFor(() => received.length === 1);
    socket.send('[16,1,{},"com.example.t",["a\uD800b\uDC00c\uD83D\uDE00"]]');
    const publish = await router.waitForMessage((m) => m.type === 'PUBLISH');
    expect(publish.message[4]).to.deep.equal(['a\uFFFDb\uFFFDc\uD83D\uDE00']);
    socket.close(1000);
  });

  it("a client with an invalid option is refused with the client's TypeError, and nothing is left open", async () => {
    const refused = await router.client({ connectTimeout: -1 }).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(TypeError);
    expect(String(refused)).to.match(/connectTimeout/);
    expect(router.view().sessions).to.deep.equal([]);
  });

  it('a client whose join fails is closed and the error is the join error', async () => {
    const refused = await router.client({ realm: 'no.such.realm', reconnect: false }).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(Error);
    expect((refused as WampError).uri).to.match(/no_such_realm/);
    expect(() => router.view('no.such.realm')).to.throw(TypeError, /no realm "no.such.realm"/);
  });
});

describe('rxwamp/testing: users, realms and serializers', () => {
  it('users log in with ticket authentication and get their role; anonymous still joins; an unknown authid is a TypeError', async () => {
    const router = createTestRouter({ realms: ['app'], users: { alice: { ticket: 's3cret', role: 'admin' } } });
    try {
      const alice = await router.client({ authid: 'alice' });
      const anonymous = await router.client();
      expect(alice.session).to.include({ authid: 'alice', authrole: 'admin', authmethod: 'ticket', realm: 'app' });
      expect(anonymous.session).to.include({ authrole: 'anonymous' });
      await router.client({ authid: 'mallory' }).then(
        () => expect.fail('joined as an unknown user'),
        (error: unknown) => expect(error).to.be.instanceOf(TypeError),
      );
    } finally {
      await router.close();
    }
  });

  it('a wrong ticket is refused by the router, as over a socket', async () => {
    const router = createTestRouter({ users: { alice: { ticket: 's3cret' } } });
    const client = new WampClient({
      url: router.url,
      realm: 'realm1',
      WebSocket: router.WebSocket,
      reconnect: false,
      auth: (await import('../../src/auth.js')).ticket({ authid: 'alice', ticket: 'wrong' }),
    });
    try {
      const error = await client.connect().catch((reason: unknown) => reason);
      expect((error as WampError).uri).to.match(/authentication_failed|not_authorized|authentication_denied/);
    } finally {
      await client.close();
      await router.close();
    }
  });

  it('CBOR goes through the CBOR serializer both ways (the frames are bytes)', async () => {
    const router = createTestRouter({ serializers: ['json', cbor] });
    try {
      const client = await router.client({ serializers: [cbor] });
      const registration = client.register('com.example.bytes', ([bytes]) => (bytes as Uint8Array).length);
      const registered = await held(registration);
      const [result] = await lastValueFrom(client.call$('com.example.bytes', [new Uint8Array([1, 2, 3])]).pipe(take(1), toArray()));
      expect(result!.args).to.deep.equal([3]);
      const call = router.messages.find((m) => m.type === 'CALL')!;
      expect(call.message[4]).to.deep.equal([new Uint8Array([1, 2, 3])]);
      registered.unsubscribe();
    } finally {
      await router.close();
    }
  });
});
