import { expect } from 'chai';
import { WampClient, WampConnectionError, WampError, type WampEvent } from '../../src/index.js';
import { describeWire, settle, until } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

describeWire('wire: publish and subscribe', (t) => {
  it('sends the exact PUBLISH and resolves at once without acknowledge', async () => {
    expect(
      await t.client.publish('com.myapp.news', ['hello'], { n: 1 }, { excludeMe: false, exclude: [7], eligibleAuthrole: ['admin'], discloseMe: true }),
    ).to.equal(undefined);
    expect(await t.peer.next(16)).to.deep.equal([
      16,
      1,
      { exclude_me: false, disclose_me: true, exclude: [7], eligible_authrole: ['admin'] },
      'com.myapp.news',
      ['hello'],
      { n: 1 },
    ]);
  });

  it('waits for PUBLISHED with acknowledge, and rejects a refusal with a WampError', async () => {
    const published = t.client.publish('com.myapp.news', [], {}, { acknowledge: true });
    const [, id] = await t.peer.next(16);
    t.peer.send([17, id, 9876]);
    expect(await published).to.deep.equal({ id: 9876 });
    const refused = t.client.publish('com.myapp.secret', [], {}, { acknowledge: true }).catch((e: unknown) => e);
    const [, id2] = await t.peer.next(16);
    t.peer.send([8, 16, id2, {}, 'wamp.error.not_authorized']);
    expect(((await refused) as WampError).uri).to.equal('wamp.error.not_authorized');
  });

  it('SUBSCRIBEs, delivers EVENTs, shares one router subscription and UNSUBSCRIBEs after the last listener', async () => {
    const first: WampEvent[] = [];
    const second: WampEvent[] = [];
    const ready: string[] = [];
    const a = t.client.topic$('com.myapp', { match: 'prefix', onSubscribed: () => ready.push('a') }).subscribe((e) => first.push(e));
    expect(await t.peer.next(32)).to.deep.equal([32, 1, { match: 'prefix' }, 'com.myapp']);
    t.peer.send([33, 1, 500]);
    await until(() => ready.length === 1);
    // The same topic and match share the router subscription: no second SUBSCRIBE, ready at once.
    const b = t.client.topic$('com.myapp', { match: 'prefix', onSubscribed: () => ready.push('b') }).subscribe((e) => second.push(e));
    expect(ready).to.deep.equal(['a', 'b']);
    t.peer.send([36, 500, 1, { topic: 'com.myapp.news' }, ['x'], { y: 1 }]);
    t.peer.send([36, 500, 2, {}]);
    await settle();
    expect(first).to.deep.equal([
      { args: ['x'], kwargs: { y: 1 }, details: { topic: 'com.myapp.news' }, topic: 'com.myapp.news', publication: 1 },
      { args: [], kwargs: {}, details: {}, topic: 'com.myapp', publication: 2 },
    ]);
    expect(second).to.deep.equal(first);
    a.unsubscribe();
    await settle();
    expect(t.peer.sent(34)).to.deep.equal([]);
    b.unsubscribe();
    expect(await t.peer.next(34)).to.deep.equal([34, 2, 500]);
    expect(t.peer.sent(32)).to.deep.equal([]);
    t.peer.send([36, 500, 3, {}, ['late']]);
    await settle();
    expect(first).to.have.length(2);
  });

  it("a topic$ joining while the last listener's UNSUBSCRIBE is in flight subscribes anew once it is answered (finding 5)", async () => {
    const events: WampEvent[] = [];
    const ready: number[] = [];
    const a = t.client.topic$('com.t').subscribe();
    const [, id] = await t.peer.next(32);
    t.peer.send([33, id, 600]);
    await settle();
    a.unsubscribe();
    const [, unsubscribeId] = await t.peer.next(34);
    // B arrives while UNSUBSCRIBE 600 is on its way: it must not be handed 600.
    t.client.topic$('com.t', { onSubscribed: (s) => ready.push(s.id) }).subscribe((e) => events.push(e));
    await settle();
    expect(t.peer.sent(32)).to.deep.equal([]);
    t.peer.send([35, unsubscribeId]);
    const [, resubscribeId] = await t.peer.next(32);
    t.peer.send([33, resubscribeId, 601]);
    await until(() => ready.length === 1);
    t.peer.send([36, 601, 1, {}, ['reaches b']]);
    await until(() => events.length === 1);
    expect([ready, events[0]!.args]).to.deep.equal([[601], ['reaches b']]);
  });

  it('errors the Observable when the router refuses the subscription', async () => {
    const error = new Promise((resolve) => t.client.topic$('com.myapp.forbidden').subscribe({ error: resolve }));
    const [, id] = await t.peer.next(32);
    t.peer.send([8, 32, id, {}, 'wamp.error.not_authorized']);
    expect(((await error) as WampError).uri).to.equal('wamp.error.not_authorized');
  });

  it('refuses bad input without sending anything', async () => {
    await t.client.connect();
    await t.peer.next(1);
    const badTopic = await t.client.publish('com.my topic').catch((e: unknown) => e);
    expect(badTopic).to.be.instanceOf(TypeError);
    const badArgs = await t.client.publish('com.t', {} as unknown as unknown[]).catch((e: unknown) => e);
    expect((badArgs as Error).message).to.match(/args must be an array/);
    const unserializable = await t.client.publish('com.t', [Symbol('s')]).catch((e: unknown) => e);
    expect((unserializable as Error).name).to.equal('SerializationError');
    const badSubscribe = await new Promise((resolve) => t.client.topic$('com..t').subscribe({ error: resolve }));
    expect(badSubscribe).to.be.instanceOf(TypeError);
    await settle();
    expect(t.peer.received).to.deep.equal([]);
  });

  it('completes topic$ on close(); errors a topic$ whose SUBSCRIBE was still pending', async () => {
    let completed = false;
    t.client.topic$('com.a').subscribe({
      complete: () => {
        completed = true;
      },
    });
    const pending = new Promise((resolve) => t.client.topic$('com.pending').subscribe({ error: resolve }));
    const [, id] = await t.peer.next((frame) => frame[0] === 32 && frame[3] === 'com.a');
    t.peer.send([33, id, 1]);
    await settle();
    await t.client.close();
    expect(completed).to.equal(true);
    const error = (await pending) as WampConnectionError;
    expect([error.name, error.code]).to.deep.equal(['WampConnectionError', 'closed']);
  });

  it('restores topic$ on the next session after the connection is lost, and errors it without reconnect', async () => {
    const client = new WampClient({ url: t.peer.url, realm: 'realm1', serializers: [serializerEntry(t.serializer)], reconnect: { initialDelay: 10 } });
    const events: unknown[] = [];
    const subscribed: number[] = [];
    const subscription = client
      .topic$('com.b', { onSubscribed: ({ id }) => subscribed.push(id) })
      .subscribe({ next: (e) => events.push(e.args), error: (e) => events.push(e) });
    const [, id] = await t.peer.next(32);
    t.peer.send([33, id, 2]);
    await until(() => subscribed.length === 1);
    t.peer.dropConnection();
    await t.peer.next(1);
    expect(await t.peer.next(32)).to.deep.equal([32, 1, {}, 'com.b']);
    t.peer.send([33, 1, 3]);
    await until(() => subscribed.length === 2);
    t.peer.send([36, 3, 77, {}, ['after']]);
    await until(() => events.length === 1);
    expect([subscribed, events]).to.deep.equal([[2, 3], [['after']]]);
    subscription.unsubscribe();
    await client.close();

    const once = new WampClient({ url: t.peer.url, realm: 'realm1', serializers: [serializerEntry(t.serializer)], reconnect: false });
    const lost = new Promise((resolve) => once.topic$('com.c').subscribe({ error: resolve }));
    const [, id3] = await t.peer.next((frame) => frame[0] === 32 && frame[3] === 'com.c');
    t.peer.send([33, id3, 4]);
    await settle();
    t.peer.dropConnection();
    expect(((await lost) as WampConnectionError).code).to.equal('lost');
  });
});
