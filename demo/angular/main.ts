/**
 * `npm run demo:angular`: builds examples/angular against the packed rxwamp, then serves it with
 * the embedded router, the longop callee and the counter; open the printed URL. Ctrl-C stops.
 */
import { BROWSER_INTERVAL_MS } from '../longop/browser/server.js';
import { prepareAngularApp } from './prepare.js';
import { startAngularDemo } from './server.js';

const log = (line: string) => console.log(line);
const intervalMs = Number(process.env['LONGOP_INTERVAL_MS'] ?? BROWSER_INTERVAL_MS);

prepareAngularApp({ log, verbose: true });
const demo = await startAngularDemo(Number(process.env['PORT'] ?? 0), intervalMs, log);
console.log(`rxwamp Angular demo: open ${demo.url} (longop paced at ${intervalMs} ms; ?debug logs every WAMP message in the console); Ctrl-C stops`);
process.once('SIGINT', () => {
  void demo.stop().then(() => process.exit(0));
});
