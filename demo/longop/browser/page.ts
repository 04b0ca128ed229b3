/**
 * The seed example in a browser page: the same caller and callee code as the terminal demo,
 * bundled by esbuild, talking to the router through the browser's own WebSocket.
 */
import { WampClient } from '../../../src/index.js';
import { callLongop, callLongopAndCancel } from '../caller.js';
import { serveLongop } from '../callee.js';

const output = document.getElementById('log')!;
const log = (line: string) => { output.textContent += `${line}\n`; };

async function main(): Promise<void> {
  const url = `${location.origin.replace(/^http/, 'ws')}/ws`;
  const intervalMs = Number(new URLSearchParams(location.search).get('interval') ?? 1000);
  const calleeClient = new WampClient({ url, realm: 'realm1' });
  const callerClient = new WampClient({ url, realm: 'realm1' });
  await new Promise<void>((resolve, reject) => {
    serveLongop(calleeClient, intervalMs, log).subscribe({ next: () => resolve(), error: reject });
  });
  log('[callee] registered com.myapp.longop');
  log('[caller] call$("com.myapp.longop", [3])');
  await callLongop(callerClient, 3, log);
  log('[caller] call$("com.myapp.longop", [10]), unsubscribing after two progress results');
  await callLongopAndCancel(callerClient, 10, log);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await callerClient.close();
  await calleeClient.close();
  log('done');
}

main().catch((error: unknown) => log(`demo failed: ${String(error)}`));
