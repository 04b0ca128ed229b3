import { expect } from 'chai';
import { concat, firstValueFrom, NEVER, Observable, of, Subject, throwError } from 'rxjs';
import { final, payload, WampClient, WampConnectionError, WampError, type Registration } from '../../src/index.js';
import { describeWire, settle, until } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

describeWire('wire: callee', (t) => {
  let nextRegistrationId = 1000;

  /** Registers through the peer; resolves with the registration id the t.peer assigned. */
  async function registered(registration: Observable<Registration>): Promise<{ registrationId: number; emitted: Promise<Registration> }> {
    // Stays subscribed (firstValueFrom would unsubscribe, i.e. unregister).
    const emitted = new Promise<Registration>((resolve, reject) => registration.subscribe({ next: resolve, error: reject }));
    const [, requestId] = await t.peer.next(64);
    const registrationId = nextRegistrationId++;
    t.peer.send([65, requestId, registrationId]);
    return { registrationId, emitted };
  }

  it('REGISTERs on subscribe, emits once REGISTERED, UNREGISTERs on unsubscribe', async () => {
    const emissions: Registration[] = [];
    const subscription = t.client
      .register('com.myapp.add', ([a, b]) => (a as number) + (b as number), { match: 'prefix', invoke: 'roundrobin' })
      .subscribe((r) => emissions.push(r));
    const register = await t.peer.next(64);
    expect(register).to.deep.equal([64, 1, { match: 'prefix', invoke: 'roundrobin' }, 'com.myapp.add']);
    t.peer.send([65, 1, 77]);
    await settle();
    expect(emissions).to.deep.equal([{ id: 77, procedure: 'com.myapp.add' }]);
    subscription.unsubscribe();
    expect(await t.peer.next(66)).to.deep.equal([66, 2, 77]);
  });

  it('answers an invocation with the handler value, promise or observable', async () => {
    const { registrationId, emitted } = await registered(t.client.register('com.myapp.add', async ([a, b]) => (a as number) + (b as number)));
    await emitted;
    t.peer.send([68, 11, registrationId, {}, [2, 3]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 11, {}, [5]]);
    t.peer.send([68, 12, registrationId, { receive_progress: true }, [1, 1]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 12, {}, [2]]); // register never streams
  });

  it('sends each stream value at once as a progressive YIELD, then an empty final', async () => {
    const values = new Subject<unknown>();
    const { registrationId } = await registered(t.client.registerStream('com.myapp.longop', () => values));
    t.peer.send([68, 5, registrationId, { receive_progress: true }, [3]]);
    await settle();
    values.next(0);
    expect(await t.peer.next(70)).to.deep.equal([70, 5, { progress: true }, [0]]);
    values.next(payload(['a'], { b: 1 }));
    expect(await t.peer.next(70)).to.deep.equal([70, 5, { progress: true }, ['a'], { b: 1 }]);
    values.complete();
    expect(await t.peer.next(70)).to.deep.equal([70, 5, {}]);
  });

  it('sends final(x) without progress and ends the stream there', async () => {
    let tornDown = false;
    const { registrationId } = await registered(
      t.client.registerStream('com.myapp.longop', ([n]) =>
        concat(
          of(1, 2),
          of(final(n)),
          new Observable<never>(() => () => {
            tornDown = true;
          }),
        ),
      ),
    );
    t.peer.send([68, 6, registrationId, { receive_progress: true }, [3]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 6, { progress: true }, [1]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 6, { progress: true }, [2]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 6, {}, [3]]);
    await settle();
    expect(t.peer.sent(70)).to.deep.equal([]);
    expect(t.peer.sent(8)).to.deep.equal([]);
    expect(tornDown).to.equal(false); // concat never subscribed past the final
  });

  it('gives a caller that did not ask for progress the last value as its one result', async () => {
    const { registrationId } = await registered(t.client.registerStream('com.myapp.longop', () => of(1, 2, 3)));
    t.peer.send([68, 7, registrationId, {}, []]);
    expect(await t.peer.next(70)).to.deep.equal([70, 7, {}, [3]]);
    await settle();
    expect(t.peer.sent(70)).to.deep.equal([]);
  });

  it('INTERRUPT tears the stream down and answers ERROR canceled exactly once', async () => {
    let teardowns = 0;
    const values = new Subject<number>();
    const { registrationId } = await registered(
      t.client.registerStream(
        'com.myapp.longop',
        () =>
          new Observable<number>((subscriber) => {
            const inner = values.subscribe(subscriber);
            return () => {
              teardowns++;
              inner.unsubscribe();
            };
          }),
      ),
    );
    t.peer.send([68, 9, registrationId, { receive_progress: true }, []]);
    await settle();
    values.next(1);
    expect(await t.peer.next(70)).to.deep.equal([70, 9, { progress: true }, [1]]);
    t.peer.send([69, 9, { mode: 'kill' }]);
    expect(await t.peer.next(8)).to.deep.equal([8, 68, 9, {}, 'wamp.error.canceled']);
    expect(teardowns).to.equal(1);
    expect(
      (t.client as unknown as { connection: { current: { callee: { activeInvocationCount: number } } } }).connection.current.callee.activeInvocationCount,
    ).to.equal(0);
    values.next(2); // after the teardown nothing more goes out
    t.peer.send([69, 9, { mode: 'killnowait' }]); // a second INTERRUPT is ignored
    t.peer.send([69, 12345, { mode: 'kill' }]); // as is one for an unknown invocation
    await settle();
    expect(t.peer.sent(8)).to.deep.equal([]);
    expect(t.peer.sent(70)).to.deep.equal([]);
    expect(t.peer.sent(3)).to.deep.equal([]);
  });

  it('ignores an INTERRUPT for an invocation that already finished', async () => {
    const { registrationId } = await registered(t.client.registerStream('com.myapp.quick', () => of(final('done'))));
    t.peer.send([68, 10, registrationId, { receive_progress: true }, []]);
    expect(await t.peer.next(70)).to.deep.equal([70, 10, {}, ['done']]);
    t.peer.send([69, 10, { mode: 'kill' }]);
    await settle();
    expect(t.peer.sent(8)).to.deep.equal([]);
  });

  it('answers a thrown WampError with its uri, args and kwargs, anything else with runtime_error', async () => {
    const { registrationId } = await registered(
      t.client.register('com.myapp.fail', ([kind]) => {
        if (kind === 'wamp') throw new WampError('com.myapp.error.invalid', { args: ['bad input'], kwargs: { field: 'x' } });
        if (kind === 'stream') return throwError(() => new Error('stream broke'));
        throw new Error('plain failure');
      }),
    );
    t.peer.send([68, 20, registrationId, {}, ['wamp']]);
    expect(await t.peer.next(8)).to.deep.equal([8, 68, 20, {}, 'com.myapp.error.invalid', ['bad input'], { field: 'x' }]);
    t.peer.send([68, 21, registrationId, {}, ['plain']]);
    expect(await t.peer.next(8)).to.deep.equal([8, 68, 21, {}, 'wamp.error.runtime_error', ['plain failure']]);
    t.peer.send([68, 22, registrationId, {}, ['stream']]);
    expect(await t.peer.next(8)).to.deep.equal([8, 68, 22, {}, 'wamp.error.runtime_error', ['stream broke']]);
  });

  it('answers ERROR instead of crashing when a result cannot be serialized', async () => {
    let tornDown = false;
    const { registrationId } = await registered(
      t.client.registerStream(
        'com.myapp.badvalue',
        () =>
          new Observable((subscriber) => {
            subscriber.next(() => 'a function is not serializable');
            return () => {
              tornDown = true;
            };
          }),
      ),
    );
    t.peer.send([68, 30, registrationId, { receive_progress: true }, []]);
    const error = await t.peer.next(8);
    expect(error.slice(0, 5)).to.deep.equal([8, 68, 30, {}, 'wamp.error.invalid_argument']);
    expect(String((error[5] as unknown[])[0])).to.match(/could not be serialized/);
    expect(tornDown).to.equal(true);
  });

  it('errors the registration with the router refusal', async () => {
    const result = firstValueFrom(t.client.register('com.myapp.taken', () => 1));
    const [, requestId] = await t.peer.next(64);
    t.peer.send([8, 64, requestId, {}, 'wamp.error.procedure_already_exists']);
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WampError);
    expect((error as WampError).uri).to.equal('wamp.error.procedure_already_exists');
  });

  it('unregisters at once when unsubscribed before REGISTERED arrived', async () => {
    const subscription = t.client.register('com.myapp.early', () => 1).subscribe();
    const [, requestId] = await t.peer.next(64);
    subscription.unsubscribe();
    t.peer.send([65, requestId, 555]);
    expect(await t.peer.next(66)).to.deep.equal([66, 2, 555]);
  });

  it('answers an invocation for a registration it no longer has with no_such_registration', async () => {
    await t.client.connect();
    t.peer.send([68, 40, 999, {}, []]);
    expect(await t.peer.next(8)).to.deep.equal([8, 68, 40, {}, 'wamp.error.no_such_registration', ['no registration 999']]);
  });

  it('tears running streams down when the session is lost, and registers again on the next session', async () => {
    const client = new WampClient({ url: t.peer.url, realm: 'realm1', serializers: [serializerEntry(t.serializer)], reconnect: { initialDelay: 10 } });
    let tornDown = 0;
    const emissions: Registration[] = [];
    const errors: unknown[] = [];
    const subscription = client
      .registerStream(
        'com.myapp.forever',
        () =>
          new Observable(() => () => {
            tornDown++;
          }),
      )
      .subscribe({ next: (registration) => emissions.push(registration), error: (error) => errors.push(error) });
    const [, requestId] = await t.peer.next(64);
    t.peer.send([65, requestId, 1000]);
    t.peer.send([68, 50, 1000, { receive_progress: true }, []]);
    await settle();
    t.peer.dropConnection();
    // The new connection: HELLO, then the same REGISTER (request id 1 again: a new session).
    await t.peer.next(1);
    expect(await t.peer.next(64)).to.deep.equal([64, 1, {}, 'com.myapp.forever']);
    t.peer.send([65, 1, 2000]);
    await until(() => emissions.length === 2);
    expect(emissions).to.deep.equal([
      { id: 1000, procedure: 'com.myapp.forever' },
      { id: 2000, procedure: 'com.myapp.forever' },
    ]);
    expect([tornDown, errors]).to.deep.equal([1, []]);
    subscription.unsubscribe();
    expect(await t.peer.next(66)).to.deep.equal([66, 2, 2000]);
    await client.close();
  });

  it('without reconnect, a lost session errors the registration with WampConnectionError lost', async () => {
    const client = new WampClient({ url: t.peer.url, realm: 'realm1', serializers: [serializerEntry(t.serializer)], reconnect: false });
    const registrationError = new Promise<unknown>((resolve) => client.registerStream('com.myapp.forever', () => NEVER).subscribe({ error: resolve }));
    const [, requestId] = await t.peer.next(64);
    t.peer.send([65, requestId, 1000]);
    await settle();
    t.peer.dropConnection();
    const error = (await registrationError) as WampConnectionError;
    expect([error.name, error.code]).to.deep.equal(['WampConnectionError', 'lost']);
    expect(client.state).to.include({ status: 'closed', willRetry: false });
  });

  it('completes registrations on a deliberate close()', async () => {
    let completed = false;
    const { emitted } = await registered(t.client.registerStream('com.myapp.x', () => NEVER));
    t.client
      .registerStream('com.myapp.y', () => NEVER)
      .subscribe({
        complete: () => {
          completed = true;
        },
      });
    const [, requestId] = await t.peer.next(64);
    t.peer.send([65, requestId, 4321]);
    await emitted;
    await settle();
    await t.client.close();
    expect(completed).to.equal(true);
    expect(await t.peer.next(6)).to.deep.equal([6, {}, 'wamp.close.close_realm']);
  });
});
