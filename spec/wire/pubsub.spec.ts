import { expect } from 'chai';
import { WampError, type WampEvent } from '../../src/index.js';
import { describeWire, settle } from '../helpers/scripted-peer.js';


describeWire('wire: publish and subscribe', (t) => {

  it('sends the exact PUBLISH and resolves at once without acknowledge', async () => {
    expect(await t.client.publish('com.myapp.news', ['hello'], { n: 1 }, { excludeMe: false, exclude: [7], eligibleAuthrole: ['admin'], discloseMe: true })).to.equal(undefined);
    expect(await t.peer.next(16)).to.deep.equal([16, 1, { exclude_me: false, disclose_me: true, exclude: [7], eligible_authrole: ['admin'] }, 'com.myapp.news', ['hello'], { n: 1 }]);
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
    const a = t.client.topic$('com.myapp', { match: 'prefix' }).subscribe((e) => first.push(e));
    expect(await t.peer.next(32)).to.deep.equal([32, 1, { match: 'prefix' }, 'com.myapp']);
    t.peer.send([33, 1, 500]);
    const b = t.client.topic$('com.myapp', { match: 'prefix' }).subscribe((e) => second.push(e));
    const [, id2] = await t.peer.next(32);
    t.peer.send([33, id2, 500]); // the router hands out the same subscription id
    await settle();
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
    expect(await t.peer.next(34)).to.deep.equal([34, 3, 500]);
    t.peer.send([36, 500, 3, {}, ['late']]);
    await settle();
    expect(first).to.have.length(2);
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

  it('completes topic$ on close() and errors it when the connection is lost', async () => {
    let completed = false;
    t.client.topic$('com.a').subscribe({ complete: () => { completed = true; } });
    const [, id] = await t.peer.next(32);
    t.peer.send([33, id, 1]);
    await settle();
    await t.client.close();
    expect(completed).to.equal(true);

    const lost = new Promise((resolve) => t.client.topic$('com.b').subscribe({ error: resolve }));
    const [, id2] = await t.peer.next(32);
    t.peer.send([33, id2, 2]);
    await settle();
    t.peer.dropConnection();
    expect(((await lost) as Error).name).to.equal('WampConnectionError');
  });
});
