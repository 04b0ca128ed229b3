import { debounceTime, distinctUntilChanged, fromEvent, map, switchMap, type Subscription } from 'rxjs';
import type { WampClient } from 'rxwamp';

/** The procedure behind the box: a query in, a list of matching names out. */
export const SEARCH = 'com.example.search';
/** How long typing must pause before the box asks the router. */
export const SEARCH_DEBOUNCE_MS = 300;

/**
 * Search as you type: the query goes out once typing pauses for SEARCH_DEBOUNCE_MS, and a newer
 * query replaces a call still running (switchMap unsubscribes it, so rxwamp sends CANCEL).
 */
export function bindSearchBox(input: HTMLInputElement, results: HTMLElement, client: WampClient): Subscription {
  return fromEvent(input, 'input')
    .pipe(
      map(() => input.value.trim()),
      debounceTime(SEARCH_DEBOUNCE_MS),
      distinctUntilChanged(),
      switchMap((query) => client.call$(SEARCH, [query])),
    )
    .subscribe((result) => {
      const names = result.args[0];
      results.textContent = Array.isArray(names) ? names.join(', ') : '';
    });
}
