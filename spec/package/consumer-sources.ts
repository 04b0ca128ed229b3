// The TypeScript a consumer of the published package writes, compiled by consumer-types.spec.ts.

/** The client entries, the way the README shows them: CBOR and MessagePack from their subpaths. */
export const CLIENT_APP = `
import { WampClient, final, type CallResult, type WampEvent, type WebSocketConstructor } from 'rxwamp';
import { cbor } from 'rxwamp/cbor';
import { msgpack } from 'rxwamp/msgpack';
import { concat, interval, map, of, take, type Observable } from 'rxjs';
import { BrowserWebSocket } from './browser-websocket.js';

const client = new WampClient({
  url: 'ws://127.0.0.1:8080/ws',
  realm: 'realm1',
  serializers: [cbor, msgpack, 'json'],
  WebSocket: BrowserWebSocket,
});

const longop = client.registerStream('com.myapp.longop', ([n]) =>
  concat(interval(1000).pipe(take(n as number)), of(final(n))));
const lines: Observable<string> = client.call$('com.myapp.longop', [3]).pipe(
  map((result: CallResult) => (result.progress ? 'Progress: ' : 'Final: ') + String(result.args[0])));
const news: Observable<WampEvent> = client.topic$('com.myapp.news');

export const subscriptions = [longop.subscribe(), lines.subscribe(), news.subscribe((event) => event.args)];
export const socketClass: WebSocketConstructor = BrowserWebSocket;
export const close: Promise<void> = client.close();

class NotAWebSocket { constructor(readonly url: string) {} }
// The option is typed, not any: a class of another shape is refused.
// @ts-expect-error
new WampClient({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1', WebSocket: NotAWebSocket });
`;

/** With lib "dom": the browser's own WebSocket class, as lib.dom.d.ts declares it. */
export const DOM_WEBSOCKET = `
export const BrowserWebSocket = WebSocket;
`;

/**
 * Without lib "dom" (a Node project): lib.dom's WebSocket declaration restated, same members and
 * handler signatures (\`this\` and event types included), so the option is held to the browser's shape.
 */
export const DOM_SHAPED_WEBSOCKET = `
interface DomEvent { readonly type: string; readonly timeStamp: number; preventDefault(): void }
interface DomCloseEvent extends DomEvent { readonly code: number; readonly reason: string; readonly wasClean: boolean }
interface DomMessageEvent<T = any> extends DomEvent { readonly data: T; readonly origin: string; readonly lastEventId: string }
interface DomWebSocket {
  binaryType: 'arraybuffer' | 'blob';
  readonly bufferedAmount: number;
  readonly extensions: string;
  onclose: ((this: DomWebSocket, ev: DomCloseEvent) => any) | null;
  onerror: ((this: DomWebSocket, ev: DomEvent) => any) | null;
  onmessage: ((this: DomWebSocket, ev: DomMessageEvent) => any) | null;
  onopen: ((this: DomWebSocket, ev: DomEvent) => any) | null;
  readonly protocol: string;
  readonly readyState: number;
  readonly url: string;
  close(code?: number, reason?: string): void;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
}
export declare const BrowserWebSocket: {
  prototype: DomWebSocket;
  new (url: string | URL, protocols?: string | string[]): DomWebSocket;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
};
`;

/** Authentication from rxwamp/auth, every method. */
export const AUTH_APP = `
import { WampClient } from 'rxwamp';
import { anonymous, cryptosign, ticket, wampcra, type Authenticator } from 'rxwamp/auth';

const methods: Authenticator[] = [
  cryptosign({ privateKey: () => '00'.repeat(32) }),
  wampcra({ authid: 'alice', secret: 'secret' }),
  ticket({ authid: 'alice', ticket: async () => 'secret' }),
  anonymous(),
];
export const client = new WampClient({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1', auth: methods });
`;

/** rxwamp/testing, as a unit test in any project uses it (browser and jsdom ones too: no Node types). */
export const TESTING_APP = `
import { WampClient, type CallResult } from 'rxwamp';
import { createTestRouter, type CallView, type SeenMessage, type TestRouter } from 'rxwamp/testing';

export const router: TestRouter = createTestRouter({ realms: ['realm1'], users: { alice: { ticket: 's3cret', role: 'admin' } } });
export const own = new WampClient({ url: router.url, realm: 'realm1', WebSocket: router.WebSocket });
export async function scenario(): Promise<readonly CallView[]> {
  const alice: WampClient = await router.client({ authid: 'alice', reconnect: false });
  const results: CallResult[] = [];
  alice.call$('com.example.op', [1]).subscribe((result) => results.push(result));
  const cancel: SeenMessage = await router.waitForMessage((m) => m.type === 'CANCEL' && m.direction === 'to-router');
  await router.waitFor(() => results.length > 0 && cancel.session !== undefined);
  router.drop(alice);
  router.freeze();
  router.thaw();
  await router.close();
  return router.view('realm1').calls;
}
`;

/** The embedded router (Node only), next to the client. */
export const ROUTER_APP = `
import { Router, ticketAuth, type ListeningAddress } from 'rxwamp/router';

const router = new Router({
  realms: ['realm1'],
  authenticators: [ticketAuth({ principals: { alice: { ticket: 'secret', authrole: 'user' } } })],
});
export const listening: Promise<ListeningAddress> = router.listen({ host: '127.0.0.1', port: 0, path: '/ws' });
`;

/**
 * Calls with a wrong contract or wrong untyped arguments, each line a mistake, with the message
 * both TypeScript 5.x and 7 must give for it (at that line): the real mismatch, not an overload's.
 */
const WRONG_CONTRACT_LINES: readonly (readonly [code: string, message?: string])[] = [
  [`import { procedure, topic, WampClient } from 'rxwamp';`],
  [`import { of } from 'rxjs';`],
  [`const client = new WampClient({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });`],
  [`const longop = procedure<{ args: [n: number]; progress: number; result: number }>('com.myapp.longop');`],
  [`const upload = procedure<{ input: Uint8Array; result: string }>('com.myapp.upload');`],
  [`const news = topic<{ args: [headline: string]; kwargs: { priority: number } }>('com.myapp.news');`],
  [`client.call$(longop, ['3']);`, `Type 'string' is not assignable to type 'number'.`],
  [`client.register(longop, ([n]) => String(n));`, `Type 'string' is not assignable to type '`],
  [`client.registerStream(longop, () => of('x'));`, `is not assignable to type 'ObservableInput<number | Final<number>>'.`],
  [`client.callStream$(upload, of('text'));`, `'Uint8Array`],
  [`client.publish(news, ['hello'], { priority: 'high' });`, `Type 'string' is not assignable to type 'number'.`],
  [`client.call$('com.myapp.untyped', 'not an array');`, `Argument of type 'string' is not assignable to parameter of type 'unknown[]'.`],
  [`client.publish('com.myapp.untyped', { not: 'an array' });`, `'not' does not exist in type 'unknown[]'.`],
];

export const WRONG_CONTRACT_APP = {
  source: WRONG_CONTRACT_LINES.map(([code]) => code).join('\n') + '\n',
  /** [1-based line, a part of the message] for each line that must be an error. */
  expected: WRONG_CONTRACT_LINES.flatMap(([, message], index) => (message ? [[index + 1, message] as const] : [])),
};
