/**
 * The seed example in a browser page: the same script as the terminal demo, bundled by
 * esbuild, talking to the router through the browser's own WebSocket.
 */
import { runLongopDemo } from '../script.js';

const output = document.getElementById('log')!;
const log = (line: string) => { output.textContent += `${line}\n`; };
const url = `${location.origin.replace(/^http/, 'ws')}/ws`;
const intervalMs = Number(new URLSearchParams(location.search).get('interval') ?? 1000);

runLongopDemo(url, 'realm1', intervalMs, log).then(
  () => log('done'),
  (error: unknown) => log(`demo failed: ${String(error)}`),
);
