import { expect } from 'chai';
import { finalize, map, Observable, scan, Subject, takeWhile, toArray, type Subscription } from 'rxjs';
import { final, Payload, procedure, type Registration } from '../../src/index.js';
import { describeWire, settle, until } from '../helpers/scripted-peer.js';

/** The callee's side of progressive call invocations (digest §6.2): INVOCATION chunks as input$. */
describeWire('wire: duplex callee (registerDuplex)', (t) => {
  const callee = () =>
    (t.client as unknown as { connection: { current: { callee: { activeInvocationCount: number; openInputCount: number } } } }).connection.current.callee;
  const held: Subscription[] = [];
  afterEach(() => {
    for (const subscription of held.splice(0)) subscription.unsubscribe();
  });

  /** Registers through the peer as registration 500; resolves once REGISTERED was handled. */
  async function registered(registration: Observable<Registration>): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      held.push(registration.subscribe({ next: () => resolve(), error: reject }));
      void t.peer.next(64).then(([, requestId]) => t.peer.send([65, requestId, 500]));
    });
    return 500;
  }

  it('each chunk is a next of input$, the last chunk completes it; results go out while input still comes', async () => {
    const seen: unknown[] = [];
    let inputCompleted = false;
    const registration = await registered(
      t.client.registerDuplex('com.myapp.echo', (input$, details) => {
        seen.push(details);
        return input$.pipe(
          finalize(() => {
            inputCompleted = true;
          }),
          map((chunk) => {
            seen.push(chunk);
            return chunk;
          }),
        );
      }),
    );
    t.peer.send([68, 7, registration, { receive_progress: true, progress: true }, ['a']]);
    expect(await t.peer.next(70)).to.deep.equal([70, 7, { progress: true }, ['a']]);
    t.peer.send([68, 7, registration, { receive_progress: true, progress: true }, [], { k: 1 }]);
    expect(await t.peer.next(70)).to.deep.equal([70, 7, { progress: true }, [], { k: 1 }]);
    t.peer.send([68, 7, registration, { receive_progress: true, progress: true }]);
    expect(await t.peer.next(70)).to.deep.equal([70, 7, { progress: true }]); // an empty chunk is undefined, sent back as no payload
    expect(callee().openInputCount).to.equal(1);
    t.peer.send([68, 7, registration, { receive_progress: true }, ['last']]); // the last chunk may carry payload
    expect(await t.peer.next(70)).to.deep.equal([70, 7, { progress: true }, ['last']]);
    expect(await t.peer.next(70)).to.deep.equal([70, 7, {}]);
    expect(seen[0]).to.deep.equal({ receive_progress: true, progress: true });
    expect(seen.slice(1)).to.deep.equal(['a', new Payload([], { k: 1 }), undefined, 'last']);
    expect(inputCompleted).to.equal(true);
    expect(callee().activeInvocationCount).to.equal(0);
    expect(callee().openInputCount).to.equal(0);
  });

  it('an empty last chunk only completes input$; a plain INVOCATION is one chunk (none when empty)', async () => {
    const registration = await registered(
      t.client.registerDuplex('com.myapp.count', (input$) =>
        input$.pipe(
          toArray(),
          map((chunks) => final(chunks.map((c) => (c instanceof Payload ? { args: c.args, kwargs: c.kwargs } : c)))),
        ),
      ),
    );
    t.peer.send([68, 8, registration, {}, ['x'], { y: 2 }]);
    expect(await t.peer.next(70)).to.deep.equal([70, 8, {}, [[{ args: ['x'], kwargs: { y: 2 } }]]]);
    t.peer.send([68, 9, registration, { progress: true }, ['a']]);
    t.peer.send([68, 9, registration, {}]);
    expect(await t.peer.next(70)).to.deep.equal([70, 9, {}, [['a']]]);
    t.peer.send([68, 10, registration, {}]);
    expect(await t.peer.next(70)).to.deep.equal([70, 10, {}, [[]]]);
  });

  it('drops chunks that arrive after the callee answered, without a reply, and ends input$', async () => {
    let chunks = 0;
    let inputCompleted = false;
    const kept: unknown[] = [];
    const registration = await registered(
      t.client.registerDuplex('com.myapp.first', (input$) => {
        // A subscription apart from the answer: it sees input$ complete when the callee answers.
        held.push(
          input$.subscribe({
            next: (chunk) => kept.push(chunk),
            complete: () => {
              inputCompleted = true;
            },
          }),
        );
        return input$.pipe(
          map((chunk) => {
            chunks++;
            return final(chunk);
          }),
        );
      }),
    );
    t.peer.send([68, 9, registration, { progress: true }, ['first']]);
    expect(await t.peer.next(70)).to.deep.equal([70, 9, {}, ['first']]);
    expect(inputCompleted).to.equal(true);
    expect(callee().openInputCount).to.equal(0);
    t.peer.send([68, 9, registration, { progress: true }, ['late 1']]);
    t.peer.send([68, 9, registration, {}, ['late last']]);
    t.peer.send([68, 20, registration, {}, ['a new call']]);
    expect(await t.peer.next(70)).to.deep.equal([70, 20, {}, ['a new call']]); // a later invocation is served
    await settle();
    expect(t.peer.sent(70)).to.deep.equal([]);
    expect(t.peer.sent(8)).to.deep.equal([]);
    expect(chunks).to.equal(2);
    expect(kept).to.deep.equal(['first', 'a new call']); // the late chunks reached neither invocation
    // The dropped id was forgotten with its last chunk: the same id now starts a new invocation.
    t.peer.send([68, 9, registration, {}, ['reused']]);
    expect(await t.peer.next(70)).to.deep.equal([70, 9, {}, ['reused']]);
  });

  it('INTERRUPT tears down both sides: the answer is unsubscribed, input$ errors with canceled, later chunks are dropped', async () => {
    let answerTornDown = false;
    let inputError: unknown;
    const registration = await registered(
      t.client.registerDuplex('com.myapp.slow', (input$) => {
        held.push(
          input$.subscribe({
            error: (error: unknown) => {
              inputError = error;
            },
          }),
        );
        return new Observable<never>(() => () => {
          answerTornDown = true;
        });
      }),
    );
    t.peer.send([68, 11, registration, { receive_progress: true, progress: true }, ['a']]);
    await until(() => callee().activeInvocationCount === 1);
    t.peer.send([69, 11, { mode: 'kill' }]);
    expect(await t.peer.next(8)).to.deep.equal([8, 68, 11, {}, 'wamp.error.canceled']);
    expect(answerTornDown).to.equal(true);
    expect(inputError).to.have.property('uri', 'wamp.error.canceled');
    t.peer.send([68, 11, registration, { progress: true }, ['b']]);
    t.peer.send([68, 11, registration, {}, ['c']]);
    await settle();
    expect(t.peer.sent(8)).to.deep.equal([]);
    expect(t.peer.sent(70)).to.deep.equal([]);
    expect(callee().activeInvocationCount).to.equal(0);
    expect(callee().openInputCount).to.equal(0);
  });

  it('keeps chunks for a handler that subscribes to input$ later', async () => {
    const later = new Subject<void>();
    const registration = await registered(
      t.client.registerDuplex(
        'com.myapp.later',
        (input$) =>
          new Observable<unknown>((subscriber) => {
            const subscription = later.subscribe(() =>
              subscription.add(
                input$
                  .pipe(
                    scan((sum, n) => sum + (n as number), 0),
                    takeWhile(() => true),
                  )
                  .subscribe(subscriber),
              ),
            );
            return subscription;
          }),
      ),
    );
    t.peer.send([68, 12, registration, { receive_progress: true, progress: true }, [1]]);
    t.peer.send([68, 12, registration, { receive_progress: true, progress: true }, [2]]);
    t.peer.send([68, 12, registration, { receive_progress: true }, [3]]);
    // All three chunks are in, none was subscribed to yet.
    await until(() => callee().activeInvocationCount === 1 && callee().openInputCount === 0);
    later.next();
    expect(await t.peer.next(70)).to.deep.equal([70, 12, { progress: true }, [1]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 12, { progress: true }, [3]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 12, { progress: true }, [6]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 12, {}]);
  });

  it('a procedure registered without registerDuplex refuses streamed input with feature_not_supported and drops the rest', async () => {
    let calls = 0;
    const registration = await registered(
      t.client.register('com.myapp.plain', () => {
        calls++;
        return 'no';
      }),
    );
    t.peer.send([68, 13, registration, { progress: true }, ['a']]);
    const error = await t.peer.next(8);
    expect(error.slice(0, 5)).to.deep.equal([8, 68, 13, {}, 'wamp.error.feature_not_supported']);
    t.peer.send([68, 13, registration, {}, ['b']]);
    await settle();
    expect(t.peer.sent(8)).to.deep.equal([]);
    expect(t.peer.sent(70)).to.deep.equal([]);
    expect(calls).to.equal(0);
  });

  it('a contract check refuses a bad input chunk with invalid_argument', async () => {
    const upload = procedure<{ input: number; result: number }>('com.myapp.sum', {
      validate: {
        input: (value) => {
          if (typeof value !== 'number') throw new TypeError(`expected a number, got ${typeof value}`);
        },
      },
    });
    const registration = await registered(
      t.client.registerDuplex(upload, (input$) =>
        input$.pipe(
          toArray(),
          map((numbers) => final(numbers.reduce((a, b) => a + b, 0))),
        ),
      ),
    );
    t.peer.send([68, 14, registration, { progress: true }, [1]]);
    t.peer.send([68, 14, registration, { progress: true }, ['two']]);
    const error = await t.peer.next(8);
    expect(error.slice(0, 5)).to.deep.equal([8, 68, 14, {}, 'wamp.error.invalid_argument']);
    expect(String((error[5] as unknown[])[0])).to.contain('expected a number, got string');
    t.peer.send([68, 14, registration, {}, [3]]);
    t.peer.send([68, 15, registration, {}, [4]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 15, {}, [4]]);
    expect(t.peer.sent(8)).to.deep.equal([]);
  });

  it('a lost session errors input$ and tears the answer down', async () => {
    let answerTornDown = false;
    let inputError: unknown;
    const registration = await registered(
      t.client.registerDuplex('com.myapp.lost', (input$) => {
        held.push(
          input$.subscribe({
            error: (error: unknown) => {
              inputError = error;
            },
          }),
        );
        return input$.pipe(
          finalize(() => {
            answerTornDown = true;
          }),
        );
      }),
    );
    t.peer.send([68, 16, registration, { progress: true }, ['a']]);
    await until(() => callee().activeInvocationCount === 1);
    t.peer.dropConnection();
    await until(() => inputError !== undefined);
    expect(inputError).to.have.property('code', 'lost');
    expect(answerTornDown).to.equal(true);
  });
});
