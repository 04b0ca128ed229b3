import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { servePageWithRouter, type ServedPage } from '../../demo/longop/browser/server.js';
import { AUTH_FIXTURE, authRouterOptions, expectedIdentity } from '../helpers/auth-peers.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import type { BrowserAuthRequest } from './auth-entry.js';

/** rxwamp/auth in headless Chromium: the page's own WebCrypto signs (HMAC, PBKDF2, Ed25519). */
describe('browser: authentication in headless Chromium', function () {
  this.timeout(60_000);
  let served: ServedPage;
  let browser: Browser;

  before(async () => {
    served = await servePageWithRouter(fileURLToPath(new URL('./auth-entry.ts', import.meta.url)), '', 0, authRouterOptions());
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  const f = AUTH_FIXTURE;
  const cases: Array<[string, BrowserAuthRequest, BrowserAuthRequest, ReturnType<typeof expectedIdentity>]> = [
    [
      'ticket',
      { method: 'ticket', authid: f.ticket.authid, secret: f.ticket.ticket },
      { method: 'ticket', authid: f.ticket.authid, secret: 'wrong' },
      expectedIdentity('ticket'),
    ],
    [
      'wampcra',
      { method: 'wampcra', authid: f.wampcra.authid, secret: f.wampcra.secret },
      { method: 'wampcra', authid: f.wampcra.authid, secret: 'wrong' },
      expectedIdentity('wampcra'),
    ],
    [
      'salted wampcra',
      { method: 'wampcra', authid: f.wampcraSalted.authid, secret: f.wampcraSalted.secret },
      { method: 'wampcra', authid: f.wampcraSalted.authid, secret: 'wrong' },
      expectedIdentity('wampcraSalted'),
    ],
    [
      'cryptosign',
      { method: 'cryptosign', authid: f.cryptosign.authid, secret: f.cryptosign.seed },
      { method: 'cryptosign', authid: f.cryptosign.authid, secret: f.strangerSeed },
      expectedIdentity('cryptosign'),
    ],
  ];
  for (const [name, good, bad, identity] of cases) {
    it(`${name}: joins with the granted identity, and a wrong secret is refused`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(served.url);
      const join = (request: BrowserAuthRequest) =>
        page.evaluate(
          ([url, r]) => (globalThis as unknown as { rxwampAuthJoin(url: string, r: BrowserAuthRequest): Promise<unknown> }).rxwampAuthJoin(url, r),
          [`${served.url.replace('http', 'ws')}ws`, request] as const,
        );
      expect(await join(good)).to.deep.equal(identity);
      expect(await join(bad)).to.deep.equal({ refused: 'wamp.error.authentication_denied' });
      await page.close();
      expect(errors).to.deep.equal([]);
    });
  }
});
