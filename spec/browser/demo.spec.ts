import { expect } from 'chai';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBrowserDemo, type DemoServer } from '../../demo/longop/browser/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import { SCREENSHOTS, expectCancelStopsTheBar, expectConnectedWithLiveCounter, expectRunToTheEnd, watch, type LongopPageSelectors } from './longop-page.js';

const PLAIN_PAGE: LongopPageSelectors = {
  connection: '#connection',
  steps: '#steps',
  start: '#start',
  cancel: '#cancel',
  bar: '#bar',
  status: '#status',
  counter: '#counter',
  calleeLog: '#callee-log',
};

describe('browser: the plain longop demo page', function () {
  this.timeout(90_000);
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watch>;

  before(async () => {
    demo = await startBrowserDemo(0, 100);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 960, height: 400 } });
    watched = watch(page);
    await page.goto(`${demo.url}?debug`);
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('shows the connection open and the live counter', async () => {
    await expectConnectedWithLiveCounter(page, PLAIN_PAGE);
  });

  it('fills the bar to 100 % with progressive results and shows the final result', async () => {
    await expectRunToTheEnd(page, PLAIN_PAGE, 10);
    await page.screenshot({ path: join(SCREENSHOTS, 'plain-done.png') });
  });

  it("Cancel stops the bar, sends CANCEL, and the callee's teardown message appears", async () => {
    await expectCancelStopsTheBar(page, PLAIN_PAGE, demo.backend, watched, 40, 12);
    await page.screenshot({ path: join(SCREENSHOTS, 'plain-cancelled.png') });
    expect(watched.errors).to.deep.equal([]);
  });
});
