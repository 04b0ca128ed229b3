/**
 * Run as its own Node process by silent-server.spec.ts: connects to a server that never answers
 * the WebSocket upgrade, in every way an application might, and prints what each ended with.
 * Before the fix the process died at connectTimeout ("WebSocket was closed before the
 * connection was established"); its exit code and last line are what the test checks.
 */
import { firstValueFrom } from 'rxjs';
import { WampClient, WampConnectionError } from '../../../src/index.js';

const url = process.argv[2]!;
const options = { url, realm: 'realm1', serializers: ['json' as const], connectTimeout: 200 };

function describe(error: unknown): string {
  return error instanceof WampConnectionError ? `WampConnectionError ${error.code}` : `other: ${String(error)}`;
}

const connectOnly = await new WampClient(options).connect().then(() => 'connected?', describe);
const call = await firstValueFrom(new WampClient(options).call$('com.x')).then(() => 'result?', describe);

const closing = new WampClient(options);
const pendingCall = firstValueFrom(closing.call$('com.x')).then(() => 'result?', describe);
await closing.close();
const closedWhileConnecting = await pendingCall;

// Unsubscribing while connecting leaves the attempt to time out on its own.
const abandoning = new WampClient(options);
abandoning
  .call$('com.x')
  .subscribe({ error: () => undefined })
  .unsubscribe();
await new Promise<void>((resolve) =>
  abandoning.state$.subscribe((state) => {
    if (state.status === 'closed') resolve();
  }),
);

console.log(JSON.stringify({ connectOnly, call, closedWhileConnecting, abandoned: abandoning.state.status }));
process.exitCode = 0;
