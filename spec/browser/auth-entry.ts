/**
 * Bundled for the browser by spec/browser/auth.spec.ts: joins with one authentication method,
 * with the crypto of the page's own WebCrypto, and reports what WELCOME granted (or the refusal).
 */
import { cryptosign, ticket, wampcra } from '../../src/auth.js';
import { WampClient, WampError, type Authenticator } from '../../src/index.js';

export interface BrowserAuthRequest {
  readonly method: 'ticket' | 'wampcra' | 'cryptosign';
  readonly authid: string;
  /** The ticket, the WAMP-CRA secret, or the cryptosign seed (hex). */
  readonly secret: string;
}

async function join(url: string, request: BrowserAuthRequest): Promise<Record<string, unknown>> {
  const auth: Authenticator =
    request.method === 'ticket'
      ? ticket({ authid: request.authid, ticket: request.secret })
      : request.method === 'wampcra'
        ? wampcra({ authid: request.authid, secret: request.secret })
        : cryptosign({ authid: request.authid, privateKey: request.secret });
  const client = new WampClient({ url, realm: 'realm1', auth, reconnect: false });
  try {
    const info = await client.connect();
    await client.close();
    return { authid: info.authid, authrole: info.authrole, authmethod: info.authmethod };
  } catch (error) {
    return { refused: error instanceof WampError ? error.uri : String(error) };
  }
}

(globalThis as { rxwampAuthJoin?: typeof join }).rxwampAuthJoin = join;
