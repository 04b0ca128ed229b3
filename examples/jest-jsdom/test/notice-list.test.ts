import { createTestRouter, type TestRouter } from 'rxwamp/testing';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { NOTICES, showNotices } from '../src/notice-list';

describe('notice list (Jest + jsdom)', () => {
  let router: TestRouter;

  beforeEach(() => {
    router = createTestRouter();
  });

  afterEach(async () => {
    await router.close();
    document.body.replaceChildren();
  });

  it('shows each notice published, and unsubscribes from the router when dropped', async () => {
    const list = document.createElement('ul');
    document.body.append(list);
    const subscription = showNotices(list, await router.client());
    await router.waitFor(() => router.view().subscriptions.some((s) => s.topic === NOTICES));

    const publisher = await router.client();
    await publisher.publish(NOTICES, ['deploy started']);
    await publisher.publish(NOTICES, ['deploy finished']);
    await router.waitFor(() => list.children.length === 2);
    expect([...list.querySelectorAll('li')].map((item) => item.textContent)).toEqual(['deploy started', 'deploy finished']);

    subscription.unsubscribe();
    await router.waitForMessage((m) => m.type === 'UNSUBSCRIBED');
    expect(router.view().subscriptions).toEqual([]);
  });
});
