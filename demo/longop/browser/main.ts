/** `npm run demo:browser`: serves the seed example as a page; open the printed URL. Ctrl-C stops. */
import { startBrowserDemo } from './server.js';

const demo = await startBrowserDemo(Number(process.env['PORT'] ?? 0));
console.log(`rxwamp browser demo: open ${demo.url} (add ?interval=200 for a faster pace); Ctrl-C stops`);
process.once('SIGINT', () => { void demo.stop().then(() => process.exit(0)); });
