/** `npm run demo:browser`: serves the longop demo page; open the printed URL. Ctrl-C stops. */
import { BROWSER_INTERVAL_MS, startBrowserDemo } from './server.js';

const intervalMs = Number(process.env['LONGOP_INTERVAL_MS'] ?? BROWSER_INTERVAL_MS);
const demo = await startBrowserDemo(Number(process.env['PORT'] ?? 0), intervalMs, (line) => console.log(line));
console.log(
  `rxwamp browser demo: open ${demo.url} (longop paced at ${intervalMs} ms, LONGOP_INTERVAL_MS changes it; ?debug logs every WAMP message in the console); Ctrl-C stops`,
);
process.once('SIGINT', () => {
  void demo.stop().then(() => process.exit(0));
});
