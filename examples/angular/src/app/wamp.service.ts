import { DestroyRef, Injectable, InjectionToken, inject } from '@angular/core';
import { map, scan, type Observable } from 'rxjs';
import { WampClient, type CallResult, type ConnectionState, type WampClientOptions, type WampEvent } from 'rxwamp';

/** The router is served with the app: ws(s)://<this host>/ws. */
function routerUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * What the app's WampClient is made with. The app uses the default; a component test provides
 * its own (an in-memory router's `url` and `WebSocket` from rxwamp/testing).
 */
export const WAMP_CLIENT_OPTIONS = new InjectionToken<WampClientOptions>('WAMP_CLIENT_OPTIONS', {
  providedIn: 'root',
  factory: () => ({
    url: routerUrl(),
    realm: 'realm1',
    ...(new URLSearchParams(location.search).has('debug')
      ? { debug: (direction: 'in' | 'out', message: readonly unknown[]) => console.debug(`wamp ${direction}`, JSON.stringify(message)) }
      : {}),
  }),
});

/**
 * The app's one WAMP connection. It connects on first use, reconnects by itself, and is closed
 * when the app is destroyed. Add `?debug` to the page's URL to see every WAMP message in the
 * browser console (secrets redacted).
 */
@Injectable({ providedIn: 'root' })
export class WampService {
  private readonly client = new WampClient(inject(WAMP_CLIENT_OPTIONS));

  /** idle, connecting, open, reconnecting or closed: for the connection indicator. */
  readonly state$: Observable<ConnectionState> = this.client.state$;

  /** What the demo server publishes once a second. */
  readonly counter$: Observable<number> = this.topic$('com.myapp.counter').pipe(map((event) => Number(event.args[0])));

  /** The callee's own words (e.g. its teardown after a CANCEL), newest last, at most `keep`. */
  calleeLog$(keep = 5): Observable<string[]> {
    return this.topic$('com.myapp.longop.log').pipe(
      scan((lines: string[], event) => [...lines, String(event.args[0])].slice(-keep), []),
    );
  }

  constructor() {
    inject(DestroyRef).onDestroy(() => void this.client.close());
  }

  /** Progress 0 … n-1, then the final n. Unsubscribing before the end sends CANCEL. */
  longop$(n: number): Observable<CallResult> {
    return this.client.call$('com.myapp.longop', [n]);
  }

  topic$(topic: string): Observable<WampEvent> {
    return this.client.topic$(topic);
  }
}
