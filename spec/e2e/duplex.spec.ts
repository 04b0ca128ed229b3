import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  concat,
  defer,
  finalize,
  from,
  interval,
  lastValueFrom,
  map,
  mergeMap,
  NEVER,
  Observable,
  of,
  range,
  scan,
  Subject,
  take,
  toArray,
  type Subscription,
} from 'rxjs';
import WebSocket from 'ws';
import { final, procedure, ready, WampClient, WampError, type CallResult, type SerializerName, type WebSocketConstructor } from '../../src/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { startFoxRouter, type FoxRouter } from '../helpers/fox-router.js';
import { until } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';
import { connectWampy, type WampyClient } from '../helpers/wampy-peer.js';

interface RoleMaps {
  caller: { pendingCount: number };
  callee: { activeInvocationCount: number; openInputCount: number };
}
const maps = (client: WampClient) => (client as unknown as { connection: { current: RoleMaps } }).connection.current;
/** Nothing of any call is left in either client's pending maps. */
function expectNothingPending(...clients: WampClient[]): void {
  for (const client of clients) {
    const { caller, callee } = maps(client);
    expect({ pendingCalls: caller.pendingCount, invocations: callee.activeInvocationCount, openInputs: callee.openInputCount }).to.deep.equal({
      pendingCalls: 0,
      invocations: 0,
      openInputs: 0,
    });
  }
}

/** Calls the embedded router still holds, by caller and by callee (its call book). */
function routerCalls(router: EmbeddedRouter): number {
  const realm = (
    router.router as unknown as {
      realms: Map<string, { dealer: { calls: { byCaller: Map<unknown, Map<number, unknown>>; byCallee: Map<unknown, Map<number, unknown>> } } }>;
    }
  ).realms.get(router.realm)!;
  const { byCaller, byCallee } = realm.dealer.calls;
  let count = 0;
  for (const calls of [...byCaller.values(), ...byCallee.values()]) count += calls.size;
  return count;
}

/** A WebSocket class that records every frame the client sends. */
function recordingWebSocket(): { WebSocket: WebSocketConstructor; sent: Array<string | Uint8Array> } {
  const sent: Array<string | Uint8Array> = [];
  class Recording extends WebSocket {
    override send(data: string | Uint8Array, ...rest: unknown[]): void {
      sent.push(data);
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  return { WebSocket: Recording, sent };
}

/** A typed duplex echo: each chunk comes back as a progressive result, the final result counts them. */
const echo = procedure<{ input: number; progress: number; result: number }>('com.example.duplex.echo');

describe('e2e: duplex streaming RPC through the embedded router', function () {
  this.timeout(60_000);
  let router: EmbeddedRouter;
  const clients: WampClient[] = [];
  const held: Array<{ unsubscribe(): void }> = [];
  const closers: Array<() => Promise<unknown>> = [];
  const newClient = (serializer: SerializerName = 'json') => {
    const client = new WampClient({ url: router.url, realm: router.realm, serializers: [serializerEntry(serializer)] });
    clients.push(client);
    return client;
  };

  before(async () => {
    router = await startEmbeddedRouter();
  });
  after(() => router.stop());
  afterEach(async () => {
    for (const subscription of held.splice(0)) subscription.unsubscribe();
    await Promise.all(closers.splice(0).map((close) => close()));
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`rxwamp caller streams 1,000 chunks to an rxwamp callee echoing each as a progressive result, over ${serializer}`, async () => {
      const callee = newClient(serializer);
      const caller = newClient(serializer);
      const received: number[] = [];
      held.push(
        await ready(
          callee.registerDuplex(echo, (input$) => {
            let count = 0;
            return new Observable<number | ReturnType<typeof final<number>>>((subscriber) =>
              input$.subscribe({
                next: (n) => {
                  received.push(n);
                  count++;
                  subscriber.next(n * 2);
                },
                error: (error: unknown) => subscriber.error(error),
                complete: () => {
                  subscriber.next(final(count));
                  subscriber.complete();
                },
              }),
            );
          }),
        ),
      );
      const results = await lastValueFrom(caller.callStream$(echo, range(0, 1000)).pipe(toArray()));
      expect(received).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
      const progress = results.filter((r) => r.progress);
      const finals = results.filter((r) => !r.progress);
      expect(progress.map((r) => r.args[0])).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i * 2));
      expect(finals).to.have.length(1);
      expect(results.at(-1)).to.include({ progress: false });
      expect(finals[0]!.args).to.deep.equal([1000]);
      expectNothingPending(caller, callee);
      await until(() => routerCalls(router) === 0);
    });
  }

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`wampy progressiveCall (over ${serializer}) → an rxwamp duplex callee gets every chunk and the end, and answers`, async () => {
      const callee = newClient('json');
      const chunks: unknown[] = [];
      let ended = false;
      held.push(
        await ready(
          callee.registerDuplex('com.example.duplex.upload', (input$) =>
            input$.pipe(
              finalize(() => {
                ended = true;
              }),
              toArray(),
              map((all) => {
                chunks.push(...all);
                return final(`${all.length} chunks`);
              }),
            ),
          ),
        ),
      );
      const wampy: WampyClient = await connectWampy(router.url, router.realm, serializer);
      closers.push(() => wampy.disconnect());
      const upload = wampy.progressiveCall('com.example.duplex.upload', { argsList: ['chunk-0'] });
      for (let i = 1; i < 10; i++) upload.sendData({ argsList: [`chunk-${i}`] });
      upload.sendData({ argsList: ['chunk-10'] }, { progress: false });
      const answer = await upload.result;
      expect(answer.argsList).to.deep.equal(['11 chunks']);
      expect(chunks).to.deep.equal(Array.from({ length: 11 }, (_, i) => `chunk-${i}`));
      expect(ended).to.equal(true);
      expectNothingPending(callee);
    });
  }

  it('a callee that answers before the input ends: the rest of input$ is not sent and is unsubscribed', async () => {
    const callee = newClient();
    let calleeChunks = 0;
    held.push(
      await ready(
        callee.registerDuplex(echo, (input$) =>
          input$.pipe(
            take(3),
            toArray(),
            map((first) => {
              calleeChunks = first.length;
              return final(first.length);
            }),
          ),
        ),
      ),
    );
    let pulled = 0;
    let inputTornDown = false;
    const input = interval(1).pipe(
      map((i) => {
        pulled = i + 1;
        return i;
      }),
      finalize(() => {
        inputTornDown = true;
      }),
    );
    const recorder = recordingWebSocket();
    const recordingCaller = new WampClient({ url: router.url, realm: router.realm, WebSocket: recorder.WebSocket });
    clients.push(recordingCaller);
    const results = await lastValueFrom(recordingCaller.callStream$(echo, input).pipe(toArray()));
    expect(results.map((r) => [r.progress, r.args[0]])).to.deep.equal([[false, 3]]);
    expect(inputTornDown).to.equal(true);
    const pulledAtAnswer = pulled;
    const sentAtAnswer = recorder.sent.length;
    // Nothing more is taken from the input or sent for the call once the answer arrived.
    await lastValueFrom(interval(5).pipe(take(10)));
    expect(pulled).to.equal(pulledAtAnswer);
    expect(recorder.sent.length).to.equal(sentAtAnswer);
    expect(calleeChunks).to.equal(3);
    expectNothingPending(recordingCaller, callee);
    expect(routerCalls(router)).to.equal(0);
  });

  it("the caller unsubscribes mid-stream: the callee's answer is torn down, its input$ errors with canceled, nothing stays pending", async () => {
    const callee = newClient();
    const caller = newClient();
    let answerTornDown = false;
    let calleeInputError: unknown;
    const chunksSeen: number[] = [];
    held.push(
      await ready(
        callee.registerDuplex(echo, (input$) => {
          held.push(
            input$.subscribe({
              next: (n) => chunksSeen.push(n),
              error: (error: unknown) => {
                calleeInputError = error;
              },
            }),
          );
          return input$.pipe(
            finalize(() => {
              answerTornDown = true;
            }),
          );
        }),
      ),
    );
    let callerInputTornDown = false;
    const input = new Subject<number>();
    const results: CallResult[] = [];
    const subscription: Subscription = caller
      .callStream$(
        echo,
        input.pipe(
          finalize(() => {
            callerInputTornDown = true;
          }),
        ),
      )
      .subscribe((r) => results.push(r));
    await until(() => input.observed);
    for (let i = 0; i < 5; i++) input.next(i);
    await until(() => results.length === 5);
    expect(routerCalls(router)).to.equal(2); // the call, under its caller and under its callee
    subscription.unsubscribe();
    expect(callerInputTornDown).to.equal(true);
    await until(() => answerTornDown && calleeInputError !== undefined);
    expect((calleeInputError as WampError).uri).to.equal('wamp.error.canceled');
    expect(chunksSeen).to.deep.equal([0, 1, 2, 3, 4]);
    await until(() => maps(callee).callee.activeInvocationCount === 0);
    expectNothingPending(caller, callee);
    await until(() => routerCalls(router) === 0, 5000, 'the router to forget the call');
  });

  it("the callee ends mid-stream (its answer errors): the caller's input is unsubscribed, it gets the error, nothing stays pending", async () => {
    const callee = newClient();
    const caller = newClient();
    held.push(
      await ready(
        callee.registerDuplex(echo, (input$) =>
          input$.pipe(
            map((n) => {
              if (n === 3) throw new WampError('com.example.error.too_many', { args: ['three is enough'] });
              return n;
            }),
          ),
        ),
      ),
    );
    let callerInputTornDown = false;
    const input = interval(1).pipe(
      finalize(() => {
        callerInputTornDown = true;
      }),
    );
    const outcome = await lastValueFrom(caller.callStream$(echo, input)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(outcome).to.be.instanceOf(WampError);
    expect((outcome as WampError).uri).to.equal('com.example.error.too_many');
    expect(callerInputTornDown).to.equal(true);
    expectNothingPending(caller, callee);
    await until(() => routerCalls(router) === 0, 5000, 'the router to forget the call');
  });

  it("the callee's session goes away mid-stream: the caller gets canceled and its input is torn down", async () => {
    const callee = newClient();
    const caller = newClient();
    let started = false;
    held.push(
      await ready(
        callee.registerDuplex(echo, (input$) => {
          started = true;
          return input$;
        }),
      ),
    );
    let callerInputTornDown = false;
    const outcome = lastValueFrom(
      caller.callStream$(
        echo,
        defer(() => interval(1)).pipe(
          finalize(() => {
            callerInputTornDown = true;
          }),
        ),
      ),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    await until(() => started);
    await callee.close();
    const error = await outcome;
    expect((error as WampError).uri).to.equal('wamp.error.canceled');
    expect(callerInputTornDown).to.equal(true);
    expectNothingPending(caller);
  });

  it("the README's upload: a file read in chunks (paced) is written by the callee while progress comes back", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rxwamp-upload-'));
    try {
      const source = join(dir, 'source.bin');
      const target = join(dir, 'target.bin');
      const content = randomBytes(1024 * 1024 + 123);
      await writeFile(source, content);
      const upload = procedure<{ input: Uint8Array; progress: number; result: string }>('com.example.duplex.file');
      const callee = newClient('msgpack');
      const caller = newClient('cbor');
      let closed = false;
      held.push(
        await ready(
          callee.registerDuplex(upload, (chunks$) =>
            from(open(target, 'w')).pipe(
              mergeMap((file) =>
                concat(
                  chunks$.pipe(
                    mergeMap((chunk) => from(file.write(chunk)).pipe(map(() => chunk.byteLength)), 1),
                    scan((stored, bytes) => stored + bytes, 0),
                  ),
                  of(final('stored')),
                ).pipe(
                  finalize(
                    () =>
                      void file.close().then(() => {
                        closed = true;
                      }),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
      const results = await lastValueFrom(caller.callStream$(upload, createReadStream(source, { highWaterMark: 64 * 1024 })).pipe(toArray()));
      const progress = results.filter((r) => r.progress).map((r) => r.args[0]);
      expect(progress.length).to.be.greaterThan(10);
      expect(progress.every((bytes, i) => i === 0 || bytes > progress[i - 1]!)).to.equal(true);
      expect(progress.at(-1)).to.equal(content.length);
      expect(results.at(-1)).to.deep.include({ progress: false, args: ['stored'] });
      await until(() => closed);
      expect(Buffer.compare(await readFile(target), content)).to.equal(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a typed contract with a result check: a result that breaks it errors the call', async () => {
    const callee = newClient();
    const caller = newClient();
    const strict = procedure<{ input: number; result: number }>('com.example.duplex.strict', {
      validate: {
        result: (value) => {
          if (typeof value !== 'number') throw new TypeError('the result must be a number');
        },
      },
    });
    held.push(
      await ready(
        callee.registerDuplex('com.example.duplex.strict', (input$) =>
          input$.pipe(
            toArray(),
            map(() => final('not a number')),
          ),
        ),
      ),
    );
    const outcome = await lastValueFrom(caller.callStream$(strict, range(0, 3))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((outcome as WampError).uri).to.equal('rxwamp.error.contract_violation');
    expect((outcome as Error).message).to.contain('the result must be a number');
  });
});

describe('e2e: duplex streaming against fox-wamp (no progressive_call_invocations)', () => {
  let fox: FoxRouter;
  before(async () => {
    fox = await startFoxRouter();
  });
  after(() => fox.stop());

  it('errors with wamp.error.feature_not_supported and sends nothing for the call', async () => {
    const recorder = recordingWebSocket();
    const client = new WampClient({ url: fox.url, realm: fox.realm, WebSocket: recorder.WebSocket });
    try {
      await client.connect();
      const sentBefore = recorder.sent.length; // HELLO
      let inputSubscribed = false;
      const error = await lastValueFrom(
        client.callStream$(
          'com.example.upload',
          defer(() => {
            inputSubscribed = true;
            return NEVER;
          }),
        ),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(WampError);
      expect((error as WampError).uri).to.equal('wamp.error.feature_not_supported');
      expect((error as Error).message).to.contain('progressive_call_invocations');
      expect(inputSubscribed).to.equal(false);
      expect(recorder.sent.length).to.equal(sentBefore);
      // The session is fine: a plain call still goes out.
      const plain = await lastValueFrom(client.call$('com.example.nobody')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((plain as WampError).uri).to.equal('wamp.error.no_such_procedure');
      expect(recorder.sent.length).to.equal(sentBefore + 1);
    } finally {
      await client.close();
    }
  });
});
