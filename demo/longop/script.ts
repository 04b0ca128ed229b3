import { WampClient } from '../../src/index.js';
import { callLongop, callLongopAndCancel } from './caller.js';
import { serveLongop } from './callee.js';

/**
 * The whole seed example as the terminal demo runs it: register the callee,
 * call longop(3) to its final result, then call longop(10) and cancel after two progress
 * results, so the callee reports its stream torn down.
 */
export async function runLongopDemo(url: string, realm: string, intervalMs: number, log: (line: string) => void): Promise<void> {
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
  }
}
