import { expect } from 'chai';
import { topic, WampClient, type WampEvent } from '../../src/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { until } from '../helpers/scripted-peer.js';

/**
 * The README's pub/sub snippets that publish and subscribe on one client, run as written against
 * the embedded router: the event arrives only because they say `excludeMe: false` (a publisher is
 * left out of its own events by default, and the snippets used to claim `// received` without it).
 */
describe("README snippets: publishing to one's own subscription", () => {
  let router: EmbeddedRouter;
  let client: WampClient;
  beforeEach(async () => {
    router = await startEmbeddedRouter();
    client = new WampClient({ url: router.url, realm: router.realm });
  });
  afterEach(async () => {
    await client.close();
    await router.stop();
  });

  it('the readiness recipe: onSubscribed, then a publish with excludeMe: false is received', async () => {
    const received: unknown[] = [];
    await new Promise<void>((resolve, reject) =>
      client.topic$('com.myapp.news', { onSubscribed: () => resolve() }).subscribe({ next: (event) => received.push(event.args), error: reject }),
    );
    await client.publish('com.myapp.news', ['hello'], undefined, { excludeMe: false }); // received
    await until(() => received.length === 1);
    expect(received).to.deep.equal([['hello']]);
  });

  it("the typed-contract example: the typed topic's event arrives with its kwargs", async () => {
    const news = topic<{ args: [headline: string]; kwargs: { priority: number } }>('com.myapp.news');
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      client.topic$(news, { onSubscribed: () => resolve() }).subscribe((e) => seen.push(`${e.args[0].toUpperCase()} ${e.kwargs.priority}`));
    });
    await client.publish(news, ['rxwamp streams both ways'], { priority: 1 }, { excludeMe: false });
    await until(() => seen.length === 1);
    expect(seen).to.deep.equal(['RXWAMP STREAMS BOTH WAYS 1']);
  });

  it('without excludeMe: false, the publishing client does not hear itself (the default)', async () => {
    const other = new WampClient({ url: router.url, realm: router.realm });
    try {
      const mine: WampEvent[] = [];
      const theirs: WampEvent[] = [];
      await new Promise<void>((resolve) => {
        client.topic$('com.myapp.news', { onSubscribed: () => resolve() }).subscribe((e) => mine.push(e));
      });
      await new Promise<void>((resolve) => {
        other.topic$('com.myapp.news', { onSubscribed: () => resolve() }).subscribe((e) => theirs.push(e));
      });
      await client.publish('com.myapp.news', ['hello'], undefined, { acknowledge: true });
      await until(() => theirs.length === 1);
      // The other subscriber got it; an acknowledged publish is answered after the router
      // dispatched it, so by now the publisher's own subscription would have had it too.
      expect(mine).to.deep.equal([]);
    } finally {
      await other.close();
    }
  });
});
