/**
 * Bundled for the browser by spec/browser/client.spec.ts: runs rxwamp in a real page (the
 * browser's own WebSocket, TextDecoder, atob/btoa) against the embedded router and reports.
 */
import { concat, lastValueFrom, Observable, of, take, toArray } from 'rxjs';
import { final, WampClient, type SerializerName } from '../../src/index.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

interface Report {
  readonly progress: Array<[boolean, unknown]>;
  readonly binaryRoundTrip: number[];
  readonly cancelTornDown: boolean;
  readonly transportProtocol: string;
}

async function scenario(url: string, serializer: SerializerName): Promise<Report> {
  const callee = new WampClient({ url, realm: 'realm1', serializers: [serializerEntry(serializer)] });
  const caller = new WampClient({ url, realm: 'realm1', serializers: [serializerEntry(serializer)] });
  let tornDown = false;
  const registrations = [
    callee.registerStream('com.browser.longop', ([n]) => concat(of(0, 1, 2).pipe(take(n as number)), of(final(n)))),
    callee.register('com.browser.bytes', ([bytes]) => new Uint8Array([...(bytes as Uint8Array)].reverse())),
    callee.registerStream(
      'com.browser.endless',
      () =>
        new Observable<number>((subscriber) => {
          let i = 0;
          const timer = setInterval(() => subscriber.next(i++), 5);
          return () => {
            clearInterval(timer);
            tornDown = true;
          };
        }),
    ),
  ];
  await Promise.all(registrations.map((registration) => new Promise((resolve, reject) => registration.subscribe({ next: resolve, error: reject }))));
  const results = await lastValueFrom(caller.call$('com.browser.longop', [3]).pipe(toArray()));
  const bytes = await lastValueFrom(caller.call$('com.browser.bytes', [new Uint8Array([1, 2, 255])]));
  await lastValueFrom(caller.call$('com.browser.endless').pipe(take(2)));
  const started = Date.now();
  while (!tornDown && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
  const report: Report = {
    progress: results.map((r) => [r.progress, r.args[0]]),
    binaryRoundTrip: [...(bytes.args[0] as Uint8Array)],
    cancelTornDown: tornDown,
    transportProtocol: serializer,
  };
  await caller.close();
  await callee.close();
  return report;
}

(globalThis as { rxwampScenario?: typeof scenario }).rxwampScenario = scenario;
