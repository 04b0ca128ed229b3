import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveDirectory, serveWithRouter } from '../serve.js';
import { BROWSER_INTERVAL_MS, withDemoBackend, type DemoServer } from '../longop/browser/server.js';
import { ANGULAR_DIST } from './prepare.js';

/**
 * Serves the built Angular app (examples/angular/dist/browser) with the embedded router at /ws
 * of the same loopback server, and the longop callee and counter behind it.
 */
export async function startAngularDemo(port = 0, intervalMs = BROWSER_INTERVAL_MS, log?: (line: string) => void): Promise<DemoServer> {
  if (!existsSync(join(ANGULAR_DIST, 'index.html'))) throw new Error(`${ANGULAR_DIST} has no index.html: build the app first (npm run demo:angular does)`);
  return withDemoBackend(await serveWithRouter(serveDirectory(ANGULAR_DIST), port), intervalMs, log);
}
