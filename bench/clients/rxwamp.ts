/** rxwamp: `call$` subscribed the plain Rx way, one subscription per call, over WebSocket. */
import { runClient } from './driver.js';
import { RxwampAdapter } from './rxwamp-adapter.js';

await runClient(new RxwampAdapter());
