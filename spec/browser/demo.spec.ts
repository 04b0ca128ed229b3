import { expect } from 'chai';
import { chromium } from 'playwright-core';
import { startBrowserDemo } from '../../demo/longop/browser/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

describe('browser: the longop demo page', function () {
  this.timeout(60_000);

  it('shows the progress, the final result and the cancel with teardown', async () => {
    const demo = await startBrowserDemo();
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${demo.url}?interval=20`);
      await page.waitForFunction(() => document.getElementById('log')?.textContent?.includes('done'), undefined, { timeout: 20_000 });
      const log = await page.textContent('#log');
      expect(log).to.equal([
        '[callee] registered com.myapp.longop',
        '[caller] call$("com.myapp.longop", [3])',
        'Progress: 0', 'Progress: 1', 'Progress: 2', 'Final: 3',
        '[caller] call$("com.myapp.longop", [10]), unsubscribing after two progress results',
        'Progress: 0', 'Progress: 1',
        '[caller] unsubscribed after two progress results (CANCEL sent)',
        '[callee] longop(10) stream torn down before its end: the caller cancelled',
        'done', '',
      ].join('\n'));
    } finally {
      await browser.close();
      await demo.stop();
    }
  });
});
