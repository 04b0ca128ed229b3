import { expect } from 'chai';
import { MessageType as M, type Dict } from '../../src/protocol/index.js';
import type { Authenticator } from '../../src/router/index.js';
import { describeOnEachTransport, useRouterWithRawPeers, type TransportPeer } from '../helpers/embedded-router.js';

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
const events = (peer: TransportPeer) => peer.pending().filter((m) => m[0] === M.EVENT);

/**
 * Admits everyone as the authid they claim in HELLO, so the filters by authid can be tested
 * without credentials. Test-only: the router's own anonymousAuth never trusts that claim.
 */
const trustClaimedAuthid: Authenticator = {
  authmethod: 'anonymous',
  begin: (hello) => ({ kind: 'welcome', identity: { authid: hello.authid ?? `anonymous-${hello.sessionId}`, authrole: 'anonymous' } }),
};

describeOnEachTransport('router: broker', (transport) => {
  const router = useRouterWithRawPeers({ authenticators: [trustClaimedAuthid] }, transport);
  const join = (details?: Dict) => router.join(details ? { details } : {});
  const publish = (peer: TransportPeer, topic: string, args: unknown[] = [], options: Dict = {}, kwargs: Dict = {}) => {
    const request = peer.nextRequestId();
    peer.send([M.PUBLISH, request, options, topic, args, kwargs]);
    return request;
  };

  it('delivers to subscribers with one publication id, acknowledges on request, not to the publisher', async () => {
    const [a, b, publisher] = [await join(), await join(), await join()];
    const subscription = await a.subscribe('com.example.news');
    expect(await b.subscribe('com.example.news'), 'one id per topic').to.equal(subscription);
    expect(await a.subscribe('com.example.news'), 'again: the same id').to.equal(subscription);
    await publisher.subscribe('com.example.news');
    const request = publish(publisher, 'com.example.news', ['hello'], { acknowledge: true }, { n: 1 });
    const published = await publisher.next((m) => m[0] === M.PUBLISHED);
    expect(published[1]).to.equal(request);
    const [eventA, eventB] = [await a.next(), await b.next()];
    expect(eventA).to.deep.equal([M.EVENT, subscription, published[2], {}, ['hello'], { n: 1 }]);
    expect(eventB).to.deep.equal(eventA);
    await settle();
    expect(events(publisher)).to.deep.equal([]);
  });

  it('delivers to the publisher with exclude_me: false, and stops after UNSUBSCRIBE', async () => {
    const peer = await join();
    const subscription = await peer.subscribe('com.example.self');
    publish(peer, 'com.example.self', [1], { exclude_me: false });
    expect((await peer.next())[4]).to.deep.equal([1]);
    const request = peer.nextRequestId();
    peer.send([M.UNSUBSCRIBE, request, subscription]);
    expect(await peer.next()).to.deep.equal([M.UNSUBSCRIBED, request]);
    const again = peer.nextRequestId();
    peer.send([M.UNSUBSCRIBE, again, subscription]);
    expect(await peer.next()).to.deep.equal([M.ERROR, M.UNSUBSCRIBE, again, {}, 'wamp.error.no_such_subscription']);
    publish(peer, 'com.example.self', [2], { exclude_me: false });
    await settle();
    expect(events(peer)).to.deep.equal([]);
  });

  it('matches prefix and wildcard subscriptions, each once, with details.topic', async () => {
    const subscriber = await join();
    const exact = await subscriber.subscribe('com.example.room.1.msg');
    const prefix = await subscriber.subscribe('com.example.room', { match: 'prefix' });
    const wildcard = await subscriber.subscribe('com.example.room..msg', { match: 'wildcard' });
    const unrelated = await subscriber.subscribe('com.example..other', { match: 'wildcard' });
    const publisher = await join();
    publish(publisher, 'com.example.room.1.msg', ['hi']);
    const received = [await subscriber.next(), await subscriber.next(), await subscriber.next()];
    const bySubscription = new Map(received.map((m) => [m[1], m[3] as Dict]));
    expect(bySubscription.get(exact)).to.deep.equal({});
    expect(bySubscription.get(prefix)).to.deep.equal({ topic: 'com.example.room.1.msg' });
    expect(bySubscription.get(wildcard)).to.deep.equal({ topic: 'com.example.room.1.msg' });
    expect(new Set(received.map((m) => m[2])).size, 'one publication id').to.equal(1);
    await settle();
    expect(events(subscriber)).to.deep.equal([]);
    expect(bySubscription.has(unrelated)).to.equal(false);
  });

  it('applies exclude and eligible by session id, authid and authrole, ANDed', async () => {
    const subscribers = [await join({ authid: 'alice' }), await join({ authid: 'bob' }), await join({ authid: 'carol' })];
    for (const subscriber of subscribers) await subscriber.subscribe('com.example.lists');
    const [alice, bob, carol] = subscribers as [TransportPeer, TransportPeer, TransportPeer];
    const publisher = await join();
    const deliveredTo = async (options: Dict) => {
      publish(publisher, 'com.example.lists', [], options);
      // An acknowledged publication after it: once PUBLISHED arrives, every EVENT has been sent.
      publish(publisher, 'com.example.fence', [], { acknowledge: true });
      await publisher.next((m) => m[0] === M.PUBLISHED);
      await settle(20);
      return subscribers
        .filter((peer) => {
          const got = events(peer).length > 0;
          if (got) void peer.next();
          return got;
        })
        .map((peer) => [alice, bob, carol].indexOf(peer));
    };
    expect(await deliveredTo({})).to.deep.equal([0, 1, 2]);
    expect(await deliveredTo({ exclude: [bob.sessionId] })).to.deep.equal([0, 2]);
    expect(await deliveredTo({ eligible: [alice.sessionId, bob.sessionId, carol.sessionId], exclude: [alice.sessionId] })).to.deep.equal([1, 2]);
    expect(await deliveredTo({ eligible_authid: ['carol', 'bob'] })).to.deep.equal([1, 2]);
    expect(await deliveredTo({ exclude_authid: ['carol'] })).to.deep.equal([0, 1]);
    expect(await deliveredTo({ eligible_authrole: ['anonymous'], eligible: [carol.sessionId] })).to.deep.equal([2]);
    expect(await deliveredTo({ exclude_authrole: ['anonymous'] })).to.deep.equal([]);
  });

  it('discloses the publisher on disclose_me', async () => {
    const subscriber = await join();
    await subscriber.subscribe('com.example.who');
    const publisher = await join({ authid: 'pub' });
    publish(publisher, 'com.example.who', [], { disclose_me: true });
    expect((await subscriber.next())[3]).to.deep.equal({ publisher: publisher.sessionId, publisher_authid: 'pub', publisher_authrole: 'anonymous' });
  });

  it('answers an acknowledged publication to an invalid or reserved topic with invalid_uri, silently without acknowledge', async () => {
    const publisher = await join();
    publish(publisher, 'com.example.bad topic');
    const bad = publish(publisher, 'com.example.bad topic', [], { acknowledge: true });
    expect(await publisher.next()).to.deep.include.members([M.ERROR, M.PUBLISH, bad]);
    const reserved = publish(publisher, 'wamp.session.on_join', [], { acknowledge: true });
    expect((await publisher.next()).slice(0, 3)).to.deep.equal([M.ERROR, M.PUBLISH, reserved]);
    expect(publisher.pending()).to.deep.equal([]);
  });

  it('drops subscriptions of a session that leaves', async () => {
    const leaving = await join();
    await leaving.subscribe('com.example.gone');
    await leaving.close();
    const publisher = await join();
    await settle();
    publish(publisher, 'com.example.gone', [], { acknowledge: true });
    expect((await publisher.next())[0]).to.equal(M.PUBLISHED);
  });
});
