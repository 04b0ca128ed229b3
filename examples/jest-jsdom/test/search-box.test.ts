import { map, timer } from 'rxjs';
import { ready } from 'rxwamp';
import { createTestRouter, type TestRouter } from 'rxwamp/testing';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { bindSearchBox, SEARCH, SEARCH_DEBOUNCE_MS } from '../src/search-box';

/** The fake search service answers after this long: slow enough for a newer query to overtake it. */
const SERVICE_DELAY_MS = 1000;
const NAMES = ['rxjs', 'rxwamp', 'wamp', 'websocket'];

function type(input: HTMLInputElement, text: string): void {
  input.value = text;
  input.dispatchEvent(new Event('input'));
}

/** The queries the router has seen called, in order. */
function queriesCalled(router: TestRouter): unknown[] {
  return router.messages.filter((m) => m.type === 'CALL' && m.message[3] === SEARCH).map((m) => (m.message[4] as unknown[])[0]);
}

/**
 * Fake timers drive the app's debounce and the service's delay; the in-memory router delivers
 * WAMP messages in promise jobs, which fake timers leave alone, so the traffic flows whenever the
 * test awaits.
 */
describe('search box with fake timers (Jest + jsdom)', () => {
  let router: TestRouter;

  beforeEach(() => {
    jest.useFakeTimers();
    router = createTestRouter();
  });

  afterEach(async () => {
    await router.close();
    jest.useRealTimers();
    document.body.replaceChildren();
  });

  it('asks once typing pauses, and a newer query cancels the call still running', async () => {
    const service = await router.client();
    await ready(service.register(SEARCH, ([query]) => timer(SERVICE_DELAY_MS).pipe(map(() => NAMES.filter((name) => name.includes(String(query)))))));

    const input = document.createElement('input');
    const results = document.createElement('output');
    document.body.append(input, results);
    const subscription = bindSearchBox(input, results, await router.client());

    type(input, 'w');
    await jest.advanceTimersByTimeAsync(100);
    type(input, 'wa');
    await jest.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 1);
    expect(queriesCalled(router)).toEqual([]); // still typing, as far as the debounce knows

    await jest.advanceTimersByTimeAsync(1);
    await router.waitFor(() => queriesCalled(router).length === 1);
    expect(queriesCalled(router)).toEqual(['wa']);

    // Half-way through the service's delay, the user types on: the first call is cancelled.
    await jest.advanceTimersByTimeAsync(SERVICE_DELAY_MS / 2);
    type(input, 'rx');
    await jest.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    await router.waitForMessage((m) => m.type === 'CANCEL');
    await router.waitFor(() => queriesCalled(router).length === 2);
    expect(queriesCalled(router)).toEqual(['wa', 'rx']);
    expect(results.textContent).toBe('');

    await jest.advanceTimersByTimeAsync(SERVICE_DELAY_MS);
    await router.waitFor(() => results.textContent !== '');
    expect(results.textContent).toBe('rxjs, rxwamp');
    expect(router.view().calls).toEqual([]);
    subscription.unsubscribe();
  });
});
