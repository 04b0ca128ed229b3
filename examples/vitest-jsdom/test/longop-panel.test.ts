import { Observable, Subject } from 'rxjs';
import { final, ready } from 'rxwamp';
import { createTestRouter, type TestRouter } from 'rxwamp/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LONGOP, mountLongopPanel } from '../src/longop-panel';

/**
 * A stand-in for the real longop service, registered on its own client: `requested` is the
 * argument of the call it is serving (undefined until one arrives), the test pushes its progress
 * (`steps.next(n)`), and `tornDown` records that the call was stopped (an INTERRUPT unsubscribes it).
 */
function fakeLongop() {
  const service = { steps: new Subject<unknown>(), requested: undefined as unknown, tornDown: false };
  const handler = (args: readonly unknown[]) =>
    new Observable<unknown>((subscriber) => {
      service.requested = args[0];
      const subscription = service.steps.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        service.tornDown = true;
      };
    });
  return { service, handler };
}

describe('longop panel (Vitest + jsdom)', () => {
  let router: TestRouter;

  beforeEach(() => {
    router = createTestRouter();
  });

  afterEach(async () => {
    await router.close();
    document.body.replaceChildren();
  });

  it('runs in jsdom', () => {
    expect(typeof window).not.toBe('undefined');
    expect(navigator.userAgent).toContain('jsdom');
  });

  it('moves the progress bar on each progressive result and shows the final one', async () => {
    const callee = await router.client();
    const { service, handler } = fakeLongop();
    await ready(callee.registerStream(LONGOP, handler));
    expect(router.view().registrations.map((r) => r.procedure)).toEqual([LONGOP]);

    const panel = mountLongopPanel(document.body, await router.client(), 3);
    panel.start.click();
    expect(panel.status.textContent).toBe('starting');
    await router.waitFor(() => service.requested !== undefined);
    expect(service.requested).toBe(3);
    expect(router.view().calls).toHaveLength(1);

    service.steps.next(1);
    await router.waitFor(() => panel.status.textContent === 'step 1 of 3');
    expect(panel.bar.value).toBe(1);

    service.steps.next(2);
    await router.waitFor(() => panel.status.textContent === 'step 2 of 3');
    expect(panel.bar.value).toBe(2);

    service.steps.next(final('3 steps'));
    await router.waitFor(() => panel.status.textContent === 'done: 3 steps');
    expect(panel.bar.value).toBe(3);
    expect(panel.start.disabled).toBe(false);
    expect(router.view().calls).toEqual([]);
  });

  it('Cancel sends CANCEL, the callee gets INTERRUPT and its teardown runs', async () => {
    const callee = await router.client();
    const { service, handler } = fakeLongop();
    await ready(callee.registerStream(LONGOP, handler));

    const app = await router.client();
    const panel = mountLongopPanel(document.body, app, 5);
    panel.start.click();
    await router.waitFor(() => service.requested !== undefined);
    service.steps.next(1);
    await router.waitFor(() => panel.status.textContent === 'step 1 of 5');
    expect(service.tornDown).toBe(false);

    panel.cancel.click();
    expect(panel.status.textContent).toBe('cancelled');

    const cancel = await router.waitForMessage((m) => m.type === 'CANCEL');
    expect(cancel.direction).toBe('to-router');
    expect(cancel.session).toBe(app.session?.id);
    const interrupt = await router.waitForMessage((m) => m.type === 'INTERRUPT');
    expect(interrupt.session).toBe(callee.session?.id);
    await router.waitFor(() => service.tornDown);
    await router.waitFor(() => router.view().calls.length === 0);
  });
});
