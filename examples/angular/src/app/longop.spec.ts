import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { createTestRouter, type TestRouter } from 'rxwamp/testing';
import { CALLEE_LOG_TOPIC, serveSteppedLongop, type SteppedLongop } from '../testing/longop-callee';
import { argsOf, finalResult, progressResult, publishTo, requestId } from '../testing/messages';
import { Longop } from './longop';
import { WAMP_CLIENT_OPTIONS } from './wamp.service';

describe('Longop', () => {
  let router: TestRouter;
  let longop: SteppedLongop;
  let fixture: ComponentFixture<Longop>;

  beforeEach(async () => {
    // A real router in memory, and the longop callee on a client of its own.
    router = createTestRouter();
    longop = await serveSteppedLongop(await router.client());
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        // The app's WampService connects to the in-memory router instead of ws://<host>/ws.
        { provide: WAMP_CLIENT_OPTIONS, useValue: { url: router.url, realm: 'realm1', WebSocket: router.WebSocket } },
      ],
    });
    fixture = TestBed.createComponent(Longop);
    await fixture.whenStable();
  });

  afterEach(async () => {
    TestBed.resetTestingModule(); // destroys the component and WampService, which closes its client
    await router.close();
  });

  function element<T extends Element = HTMLElement>(name: string): T {
    const found = (fixture.nativeElement as HTMLElement).querySelector<T>(`[data-test="${name}"]`);
    if (!found) throw new Error(`no [data-test="${name}"] on the page`);
    return found;
  }

  /** Types the number of steps and clicks Run; resolves once the callee has the invocation. */
  async function run(steps: number) {
    element<HTMLInputElement>('steps').value = String(steps);
    element<HTMLButtonElement>('start').click();
    const call = await router.waitForMessage((seen) => seen.type === 'CALL');
    const invocation = await router.waitForMessage((seen) => seen.type === 'INVOCATION');
    return { call, invocation };
  }

  /** The callee sends progress `index`; resolves once the page has rendered it. */
  async function step(index: number): Promise<void> {
    longop.step();
    await router.waitForMessage(progressResult(index));
    await fixture.whenStable();
  }

  function bar() {
    const progressbar = element('bar');
    const fill = progressbar.querySelector<HTMLElement>('.fill');
    return { now: progressbar.getAttribute('aria-valuenow'), max: progressbar.getAttribute('aria-valuemax'), width: fill?.style.width };
  }

  it('advances the progress bar with each progressive result, then shows the final result', async () => {
    expect(element('status').textContent).toBe('Not started');
    await run(3);
    await fixture.whenStable();
    expect(bar()).toEqual({ now: '0', max: '3', width: '0%' });

    await step(0);
    expect(bar()).toEqual({ now: '1', max: '3', width: '33%' });
    expect(element('status').textContent).toBe('Progress 1 / 3 (33 %)');

    await step(1);
    expect(bar()).toEqual({ now: '2', max: '3', width: '67%' });
    expect(element('status').textContent).toBe('Progress 2 / 3 (67 %)');

    // The third progress is the last: the callee's final result follows it.
    longop.step();
    await router.waitForMessage(finalResult);
    await fixture.whenStable();
    expect(bar()).toEqual({ now: '3', max: '3', width: '100%' });
    expect(element('status').textContent).toBe('Final result: 3 (100 %)');
    expect(element<HTMLButtonElement>('cancel').disabled).toBe(true);
    expect(router.messages.filter((seen) => seen.type === 'CANCEL')).toEqual([]);
  });

  it("Cancel sends CANCEL; the router interrupts the callee and the callee's teardown runs", async () => {
    const { call, invocation } = await run(10);
    await step(0);
    await step(1);
    expect(element('status').textContent).toBe('Progress 2 / 10 (20 %)');

    element<HTMLButtonElement>('cancel').click();

    const cancel = await router.waitForMessage((seen) => seen.type === 'CANCEL');
    expect(cancel.direction).toBe('to-router');
    expect(cancel.session).toBe(call.session);
    expect(requestId(cancel)).toBe(requestId(call));
    const interrupt = await router.waitForMessage((seen) => seen.type === 'INTERRUPT');
    expect(interrupt.session).toBe(invocation.session);
    expect(requestId(interrupt)).toBe(requestId(invocation));
    const teardown = await router.waitForMessage(publishTo(CALLEE_LOG_TOPIC));
    expect(argsOf(teardown)).toEqual(['[callee] longop(10) stream torn down before its end: the caller cancelled']);
    await router.waitFor(() => router.view().calls.length === 0);

    await fixture.whenStable();
    expect(element('status').textContent).toBe('Cancelled at 2 / 10: CANCEL sent');
    expect(bar()).toEqual({ now: '2', max: '10', width: '20%' });
    expect(element<HTMLButtonElement>('start').disabled).toBe(false);
  });
});
