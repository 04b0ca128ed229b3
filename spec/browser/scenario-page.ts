import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { servePageWithRouter, type ServedPage } from '../../demo/longop/browser/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

/** A page that runs a bundled scenario in headless Chromium (see useScenarioPage). */
export interface ScenarioPage {
  /** The loopback server's URL (its embedded router is at `ws…/ws`). */
  readonly url: string;
  /** Opens a fresh page, runs `globalThis[scenario](...args)` there, checks no page error happened, and returns its report. */
  run(scenario: string, ...args: readonly unknown[]): Promise<unknown>;
}

/**
 * Before the suite: bundles `entry` for the browser, serves it with the embedded router on a free
 * loopback port and starts Debian's Chromium; after it, stops both.
 */
export function useScenarioPage(entry: string): ScenarioPage {
  let served: ServedPage | undefined;
  let browser: Browser | undefined;
  before(async () => {
    served = await servePageWithRouter(entry, '');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await served?.stop();
  });
  return {
    get url() {
      if (!served) throw new Error('the scenario page is served only inside the suite');
      return served.url;
    },
    async run(scenario, ...args) {
      const page = await browser!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(served!.url);
      const report = await page.evaluate(
        ([name, values]) => (globalThis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...values),
        [scenario, args] as const,
      );
      await page.close();
      expect(errors).to.deep.equal([]);
      return report;
    },
  };
}
