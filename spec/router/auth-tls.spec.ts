import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import WebSocket from 'ws';
import { MessageType as M } from '../../src/protocol/index.js';
import { AUTH_REALM, authRouterOptions, credentialsFor, joinPythonWith } from '../helpers/auth-peers.js';
import { createTestCertificate, startTlsRouter, type TlsRouter } from '../helpers/tls.js';

/** Opens a WebSocket; resolves with the first message after HELLO, or rejects with the connection error. */
function helloOverWebSocket(url: string, options: WebSocket.ClientOptions): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['wamp.2.json'], options);
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify([M.HELLO, AUTH_REALM, { roles: { caller: {} } }])));
    socket.once('message', (data: Buffer) => {
      resolve(JSON.parse(data.toString('utf8')) as unknown[]);
      socket.close();
    });
  });
}

describe('router over TLS (spec/helpers/tls.ts)', () => {
  let fixture: TlsRouter;
  before(async () => {
    fixture = await startTlsRouter(authRouterOptions());
  });
  after(() => fixture.stop());

  it('makes a CA and a server certificate for 127.0.0.1 and localhost signed by it', async () => {
    const { cert, ca } = await createTestCertificate();
    const server = new X509Certificate(cert);
    const authority = new X509Certificate(ca);
    expect(server.checkIssued(authority)).to.equal(true);
    expect(server.verify(authority.publicKey)).to.equal(true);
    expect(server.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(server.checkHost('localhost')).to.equal('localhost');
    expect(authority.ca).to.equal(true);
    expect(server.ca).to.equal(false);
  });

  it('a ws client that trusts the CA joins over wss://127.0.0.1', async () => {
    expect(fixture.url).to.match(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
    const welcome = await helloOverWebSocket(fixture.url, { ca: fixture.ca });
    expect(welcome[0]).to.equal(M.WELCOME);
    expect(welcome[2]).to.include({ realm: AUTH_REALM, authmethod: 'anonymous' });
  });

  it('and by the name localhost', async () => {
    const welcome = await helloOverWebSocket(fixture.url.replace('127.0.0.1', 'localhost'), { ca: fixture.ca });
    expect(welcome[0]).to.equal(M.WELCOME);
  });

  it('without the CA the connection fails with a certificate error', async () => {
    const error = await helloOverWebSocket(fixture.url, {}).then(
      () => expect.fail('connected'),
      (reason: Error & { code?: string }) => reason,
    );
    expect(error.code).to.match(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('with another CA the connection fails too', async () => {
    const other = await createTestCertificate();
    const error = await helloOverWebSocket(fixture.url, { ca: other.ca }).then(
      () => expect.fail('connected'),
      (reason: Error & { code?: string }) => reason,
    );
    expect(error.code).to.be.a('string');
  });

  it('Autobahn|Python joins with a ticket over wss when given the CA', async () => {
    const outcome = await joinPythonWith(fixture.url, AUTH_REALM, credentialsFor('ticket'), { ca: fixture.ca });
    expect(outcome).to.include({ outcome: 'welcome', authid: 'joe', authrole: 'frontend', authmethod: 'ticket' });
  });
});
