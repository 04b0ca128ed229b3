import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { MessageType as M } from '../../src/protocol/index.js';
import { Router } from '../../src/router/index.js';
import { describeOnEachTransport, startEmbeddedRouter, startRouter } from '../helpers/embedded-router.js';
import { RawPeer } from '../helpers/raw-peer.js';

describe('router: listening, attaching and limits', () => {
  it('refuses realms that are not valid URIs at construction', () => {
    expect(() => new Router({ realms: ['bad realm'] })).to.throw(TypeError);
  });

  it('attaches to an existing http.Server at a path and leaves other upgrades to their owners', async () => {
    const server: Server = createServer((_request, response) => response.end('app'));
    const router = new Router({ realms: ['com.example.app'] });
    router.attach(server, { path: '/wamp' });
    const other = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (request.url === '/other') other.handleUpgrade(request, socket, head, (ws) => ws.send('not wamp'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const peer = await RawPeer.join(`ws://127.0.0.1:${port}/wamp`, 'com.example.app');
      expect(peer.sessionId).to.be.greaterThan(0);
      const plain = new WebSocket(`ws://127.0.0.1:${port}/other`);
      const text = await new Promise((resolve) => plain.once('message', (data) => resolve(data.toString())));
      expect(text).to.equal('not wamp');
      plain.close();
      const closing = router.close();
      expect((await peer.next())[2]).to.equal('wamp.close.system_shutdown');
      peer.send([M.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      await closing;
      // The router's close leaves the server it did not start running.
      expect(server.listening).to.equal(true);
    } finally {
      other.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers plain HTTP and unknown paths on its own server without upgrading', async () => {
    const fixture = await startEmbeddedRouter();
    try {
      const wrongPath = new WebSocket(fixture.url.replace('/ws', '/nope'), ['wamp.2.json']);
      const failure = await new Promise<string>((resolve) => wrongPath.once('error', (error) => resolve(error.message)));
      expect(failure).to.contain('404');
      const response = await fetch(fixture.url.replace('ws://', 'http://'));
      expect(response.status).to.equal(426);
    } finally {
      await fixture.stop();
    }
  });

  it('drops a subscriber that stops reading instead of buffering without bound', async () => {
    const fixture = await startEmbeddedRouter({ maxBufferedBytes: 256 * 1024 });
    try {
      const stalled = await RawPeer.join(fixture.url, 'realm1', { serializer: 'msgpack' });
      await stalled.subscribe('com.example.firehose');
      const reader = await RawPeer.join(fixture.url, 'realm1', { serializer: 'msgpack' });
      await reader.subscribe('com.example.firehose');
      // Stop reading from the TCP socket: the router's output to it piles up.
      (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const publisher = await RawPeer.join(fixture.url, 'realm1', { serializer: 'msgpack' });
      const chunk = new Uint8Array(256 * 1024);
      for (let i = 0; i < 200 && fixture.router.sessionCount('realm1') === 3; i++) {
        const request = publisher.nextRequestId();
        publisher.send([M.PUBLISH, request, { acknowledge: true }, 'com.example.firehose', [chunk]]);
        await publisher.next((m) => m[0] === M.PUBLISHED && m[1] === request);
        await reader.next((m) => m[0] === M.EVENT);
      }
      expect(fixture.router.sessionCount('realm1'), 'the stalled subscriber was dropped').to.equal(2);
      expect(reader.isOpen && publisher.isOpen).to.equal(true);
      stalled.socket.terminate();
      await Promise.all([reader.close(), publisher.close()]);
    } finally {
      await fixture.stop();
    }
  });
});

describeOnEachTransport('router: the handshake timeout', (transport) => {
  it('aborts connections that do not join within the handshake timeout', async () => {
    const fixture = await startRouter(transport, { handshakeTimeoutMs: 80 });
    try {
      const silent = await fixture.openPeer();
      const abort = await silent.next();
      expect(abort[0]).to.equal(M.ABORT);
      expect(abort[2]).to.equal('wamp.error.protocol_violation');
      await silent.closed;
      // A joined session is not affected.
      const joined = await fixture.joinPeer('realm1');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(joined.isOpen).to.equal(true);
      await joined.close();
    } finally {
      await fixture.stop();
    }
  });
});
