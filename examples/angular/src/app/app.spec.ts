import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { createTestRouter, type TestRouter } from 'rxwamp/testing';
import { CALLEE_LOG_TOPIC, serveSteppedLongop, type SteppedLongop } from '../testing/longop-callee';
import { argsOf, progressResult, publishTo, requestId } from '../testing/messages';
import { App } from './app';
import { routes } from './app.routes';
import { WAMP_CLIENT_OPTIONS } from './wamp.service';

describe('App', () => {
  let router: TestRouter;
  let longop: SteppedLongop;
  let fixture: ComponentFixture<App>;

  beforeEach(async () => {
    router = createTestRouter();
    longop = await serveSteppedLongop(await router.client());
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideRouter(routes),
        { provide: WAMP_CLIENT_OPTIONS, useValue: { url: router.url, realm: 'realm1', WebSocket: router.WebSocket } },
      ],
    });
    fixture = TestBed.createComponent(App);
    await TestBed.inject(Router).navigateByUrl('/longop');
    await fixture.whenStable();
  });

  afterEach(async () => {
    TestBed.resetTestingModule(); // destroys the app and WampService, which closes its client
    await router.close();
  });

  function find(name: string): HTMLElement | null {
    return (fixture.nativeElement as HTMLElement).querySelector<HTMLElement>(`[data-test="${name}"]`);
  }

  function element<T extends HTMLElement = HTMLElement>(name: string): T {
    const found = find(name);
    if (!found) throw new Error(`no [data-test="${name}"] on the page`);
    return found as T;
  }

  it("leaving the longop route while a call runs cancels it: CANCEL, INTERRUPT, the callee's teardown on the page", async () => {
    element<HTMLInputElement>('steps').value = '40';
    element<HTMLButtonElement>('start').click();
    const call = await router.waitForMessage((seen) => seen.type === 'CALL');
    const invocation = await router.waitForMessage((seen) => seen.type === 'INVOCATION');
    for (const index of [0, 1, 2]) {
      longop.step();
      await router.waitForMessage(progressResult(index));
    }
    await fixture.whenStable();
    expect(element('status').textContent).toBe('Progress 3 / 40 (8 %)');
    expect(element('connection').dataset['state']).toBe('open');

    element('nav-about').click(); // the RouterLink navigates: Longop is destroyed with its call running

    const cancel = await router.waitForMessage((seen) => seen.type === 'CANCEL');
    expect(requestId(cancel)).toBe(requestId(call));
    const interrupt = await router.waitForMessage((seen) => seen.type === 'INTERRUPT');
    expect(requestId(interrupt)).toBe(requestId(invocation));
    const teardown = await router.waitForMessage(publishTo(CALLEE_LOG_TOPIC));
    const line = '[callee] longop(40) stream torn down before its end: the caller cancelled';
    expect(argsOf(teardown)).toEqual([line]);
    // The shell subscribes to the callee's topic: the line reaches it as an EVENT.
    await router.waitForMessage((seen) => seen.type === 'EVENT' && argsOf(seen)[0] === line);
    await router.waitFor(() => router.view().calls.length === 0);

    await fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/about');
    expect(find('about')).not.toBeNull();
    expect(find('bar')).toBeNull();
    expect(Array.from(element('callee-log').querySelectorAll('li'), (item) => item.textContent)).toEqual([line]);
  });
});
