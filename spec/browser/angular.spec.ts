import { expect } from 'chai';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { prepareAngularApp } from '../../demo/angular/prepare.js';
import { startAngularDemo } from '../../demo/angular/server.js';
import type { DemoServer } from '../../demo/longop/browser/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import {
  SCREENSHOTS,
  WAIT_MS,
  counts,
  expectCancelReachedTheCallee,
  expectCancelStopsTheBar,
  expectConnectedWithLiveCounter,
  expectRunToTheEnd,
  startLongop,
  waitForBarAtLeast,
  watch,
  type LongopPageSelectors,
} from './longop-page.js';

const ANGULAR_PAGE: LongopPageSelectors = Object.fromEntries(
  ['connection', 'steps', 'start', 'cancel', 'bar', 'status', 'counter', 'calleeLog'].map((name) => [
    name,
    `[data-test="${name === 'calleeLog' ? 'callee-log' : name}"]`,
  ]),
) as unknown as LongopPageSelectors;

/**
 * examples/angular, built with the Angular CLI against the packed rxwamp (as a user's app
 * would get it), in headless Chromium against the embedded router and the Node callee.
 */
describe('browser: the Angular example app', function () {
  this.timeout(90_000);
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watch>;

  before(async function () {
    // npm ci of the example (first run only, about a minute), the pack, and ng build.
    this.timeout(15 * 60_000);
    const started = Date.now();
    prepareAngularApp({ log: (line) => console.log(`      +${((Date.now() - started) / 1000).toFixed(1)} s ${line}`) });
    console.log(`      [angular] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    demo = await startAngularDemo(0, 100);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 960, height: 440 } });
    watched = watch(page);
    await page.goto(`${demo.url}?debug`);
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('opens on the longop route, shows the connection open and the live counter', async () => {
    expect(new URL(page.url()).pathname).to.equal('/longop');
    await expectConnectedWithLiveCounter(page, ANGULAR_PAGE);
  });

  it('fills the bar to 100 % with progressive results and shows the final result', async () => {
    await expectRunToTheEnd(page, ANGULAR_PAGE, 10);
    await page.screenshot({ path: join(SCREENSHOTS, 'angular-done.png') });
  });

  it("Cancel on a second call stops the bar, sends CANCEL, and the callee's teardown message appears", async () => {
    await expectCancelStopsTheBar(page, ANGULAR_PAGE, demo.backend, watched, 40, 16);
    await page.screenshot({ path: join(SCREENSHOTS, 'angular-cancelled.png') });
  });

  it('navigating away while a call runs cancels it (takeUntilDestroyed): the router interrupts the callee, its teardown runs', async () => {
    const before = counts(demo.backend, watched);
    await startLongop(page, ANGULAR_PAGE, 40);
    await waitForBarAtLeast(page, ANGULAR_PAGE, 3);
    await page.click('[data-test="nav-about"]');
    await page.waitForSelector('[data-test="about"]', { timeout: WAIT_MS });
    expect(await page.$(ANGULAR_PAGE.bar)).to.equal(null);
    await expectCancelReachedTheCallee(page, ANGULAR_PAGE, demo.backend, watched, before, 40);
    await page.screenshot({ path: join(SCREENSHOTS, 'angular-navigated-away.png') });
    expect(watched.errors).to.deep.equal([]);
  });
});
