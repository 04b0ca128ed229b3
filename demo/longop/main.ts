/**
 * `npm run demo`: the seed's longop, both sides in Rx. Starts the embedded router on a free
 * loopback port unless WAMP_URL (and optionally WAMP_REALM) point at another router.
 */
import { Router } from '../../src/router/index.js';
import { runLongopDemo } from './script.js';

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
  try {
    await runLongopDemo(url, realm, intervalMs, log);
  } finally {
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
