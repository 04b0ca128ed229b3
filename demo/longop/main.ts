/**
 * `npm run demo`: the seed's longop, both sides in Rx. Starts the embedded router on a free
 * loopback port unless WAMP_URL (and optionally WAMP_REALM) point at another router.
 */
import { WampClient } from '../../src/index.js';
import { Router } from '../../src/router/index.js';
import { callLongop, callLongopAndCancel } from './caller.js';
import { serveLongop } from './callee.js';

const log = (line: string) => console.log(line);
const intervalMs = Number(process.env['LONGOP_INTERVAL_MS'] ?? 1000);

async function main(): Promise<void> {
  let router: Router | undefined;
  let url = process.env['WAMP_URL'];
  const realm = process.env['WAMP_REALM'] ?? 'realm1';
  if (!url) {
    router = new Router({ realms: [realm] });
    ({ url } = await router.listen({ host: '127.0.0.1', port: 0, path: '/ws' }));
    log(`[router] embedded router listening on ${url}, realm ${realm}`);
  } else {
    log(`[router] using ${url}, realm ${realm}`);
  }

  const calleeClient = new WampClient({ url, realm });
  const callerClient = new WampClient({ url, realm });
  try {
    await new Promise<void>((resolve, reject) => {
      serveLongop(calleeClient, intervalMs, log).subscribe({ next: () => resolve(), error: reject });
    });
    log('[callee] registered com.myapp.longop');

    log('[caller] call$("com.myapp.longop", [3])');
    await callLongop(callerClient, 3, log);

    log('[caller] call$("com.myapp.longop", [10]), unsubscribing after two progress results');
    await callLongopAndCancel(callerClient, 10, log);
    // Give the router's INTERRUPT a moment to reach the callee, whose stream then logs its teardown.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await callerClient.close();
    await calleeClient.close();
    await router?.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('demo failed:', error);
    process.exit(1);
  },
);
