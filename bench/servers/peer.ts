/**
 * The scripted dealer peer, in its own process: a WebSocket server that plays a WAMP router
 * with the bench procedures built in (bench/servers/dealer.ts), so a client's cost is measured
 * with no router in the way. HELLO → WELCOME; CALL bench.stream [n] → n progressive RESULTs
 * (pre-encoded, written in batches as fast as the socket takes them) then an empty final
 * RESULT; CALL bench.echo → RESULT with the same args; CALL bench.swallow → nothing; CANCEL →
 * stop, ERROR canceled; GOODBYE → GOODBYE. JSON, CBOR and MessagePack (whichever the client
 * offers first).
 *
 * Prints `{"url": ...}` on its first stdout line; exits when stdin closes (or after 10 min).
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { codecBySubprotocol } from '../../spec/helpers/codecs.js';
import { wsFrame } from '../lib/ws-frames.js';
import { Dealer } from './dealer.js';

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  handleProtocols: (offered) => [...offered].find((p) => codecBySubprotocol(p) !== undefined) ?? false,
});
server.on('connection', (ws, request) => {
  const codec = codecBySubprotocol(ws.protocol);
  if (!codec) return ws.close(1002);
  const dealer = new Dealer(
    {
      codec,
      socket: request.socket,
      frame: (payload) => wsFrame(payload, false),
      send: (payload) => ws.send(payload),
      isOpen: () => ws.readyState === ws.OPEN,
      close: () => ws.close(1000),
    },
    'rxwamp-bench-peer',
  );
  ws.on('message', (data, isBinary) => {
    const buffer = data as Buffer;
    dealer.receive(codec.decode(isBinary ? buffer : buffer.toString('utf8')) as unknown[]);
  });
  ws.on('error', () => undefined);
});
server.once('listening', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `ws://127.0.0.1:${port}/ws` })}\n`);
});

function shutdown(): void {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
setTimeout(shutdown, 10 * 60_000).unref();
