import type { Subscription } from 'rxjs';
import type { WampClient } from 'rxwamp';

/** The topic the list shows: each event's first argument is one notice's text. */
export const NOTICES = 'com.example.notice';

/** Appends one list item per notice published while the returned subscription lasts. */
export function showNotices(list: HTMLUListElement, client: WampClient): Subscription {
  return client.topic$(NOTICES).subscribe((event) => {
    const item = list.ownerDocument.createElement('li');
    item.textContent = String(event.args[0]);
    list.append(item);
  });
}
