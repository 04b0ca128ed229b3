/**
 * Drives a longop demo page (the plain one or the Angular app) in headless Chromium the way a
 * person would: Run, watch the bar, Cancel; and checks what reached the router and the callee.
 */
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { DemoBackend } from '../../demo/longop/backend.js';
import { until } from '../helpers/scripted-peer.js';

/** Where the browser specs leave their screenshots (git-ignored). */
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
mkdirSync(SCREENSHOTS, { recursive: true });

export interface LongopPageSelectors {
  readonly connection: string;
  readonly steps: string;
  readonly start: string;
  readonly cancel: string;
  readonly bar: string;
  readonly status: string;
  readonly counter: string;
  readonly calleeLog: string;
}

/** How long a condition on the page or the backend may take on a busy machine. */
export const WAIT_MS = 20_000;

/** The page's console lines (its `?debug` hook logs every WAMP message there) and its errors. */
export function watch(page: Page): { readonly console: string[]; readonly errors: string[] } {
  const watched = { console: [] as string[], errors: [] as string[] };
  page.on('console', (message) => watched.console.push(message.text()));
  page.on('pageerror', (error) => watched.errors.push(error.message));
  return watched;
}

export async function barValue(page: Page, s: LongopPageSelectors): Promise<number> {
  return Number(await page.getAttribute(s.bar, 'aria-valuenow'));
}

export async function waitForBarAtLeast(page: Page, s: LongopPageSelectors, value: number): Promise<void> {
  await page.waitForFunction(([selector, least]) => Number(document.querySelector(selector)?.getAttribute('aria-valuenow')) >= least, [s.bar, value] as const, {
    timeout: WAIT_MS,
  });
}

export async function waitForStatus(page: Page, s: LongopPageSelectors, status: string): Promise<string> {
  await page.waitForSelector(`${s.status}[data-status="${status}"]`, { timeout: WAIT_MS });
  return (await page.textContent(s.status))!.trim();
}

export async function startLongop(page: Page, s: LongopPageSelectors, steps: number): Promise<void> {
  await page.fill(s.steps, String(steps));
  await page.click(s.start);
}

/** The page is connected and the counter topic is live (it changes). */
export async function expectConnectedWithLiveCounter(page: Page, s: LongopPageSelectors): Promise<void> {
  await page.waitForSelector(`${s.connection}[data-state="open"]`, { timeout: WAIT_MS });
  await page.waitForFunction((selector) => /^\d+$/.test(document.querySelector(selector)?.textContent?.trim() ?? ''), s.counter, { timeout: WAIT_MS });
  const first = (await page.textContent(s.counter))!.trim();
  await page.waitForFunction(([selector, seen]) => (document.querySelector(selector)?.textContent?.trim() ?? seen) !== seen, [s.counter, first] as const, {
    timeout: WAIT_MS,
  });
}

/** Run to the end: the bar reaches 100 % and the final result shows. */
export async function expectRunToTheEnd(page: Page, s: LongopPageSelectors, steps: number): Promise<void> {
  await startLongop(page, s, steps);
  expect(await waitForStatus(page, s, 'done')).to.equal(`Final result: ${steps} (100 %)`);
  expect(await barValue(page, s)).to.equal(steps);
  expect(await page.getAttribute(s.bar, 'aria-valuemax')).to.equal(String(steps));
}

/** The lines the page logged for CANCELs it sent (through the client's debug hook). */
export function cancelsSent(console: readonly string[]): string[] {
  return console.filter((line) => /^wamp out \[49,\d+,\{"mode":"kill"\}\]$/.test(line));
}

/**
 * After the page ended a running call (however): the page sent one more CANCEL, the router
 * interrupted the callee (INTERRUPT seen by the callee's debug hook) and the callee's
 * teardown ran (it published it); the page shows that message unless it is gone.
 */
export async function expectCancelReachedTheCallee(
  page: Page,
  s: LongopPageSelectors,
  backend: DemoBackend,
  watched: { console: string[] },
  before: { cancels: number; interrupts: number; calleeLog: number },
  steps: number,
): Promise<string> {
  const teardown = `[callee] longop(${steps}) stream torn down before its end: the caller cancelled`;
  await until(() => cancelsSent(watched.console).length === before.cancels + 1, WAIT_MS, 'the page to send CANCEL');
  await until(() => backend.interrupts.length === before.interrupts + 1, WAIT_MS, 'the router to send the callee INTERRUPT');
  await until(() => backend.calleeLog.slice(before.calleeLog).includes(teardown), WAIT_MS, "the callee's teardown");
  await page.waitForFunction(
    ([selector, line]) => Array.from(document.querySelectorAll(`${selector} li`)).some((li) => li.textContent?.trim() === line),
    [s.calleeLog, teardown] as const,
    { timeout: WAIT_MS },
  );
  return teardown;
}

/** What to compare before and after a cancel. */
export function counts(backend: DemoBackend, watched: { console: string[] }): { cancels: number; interrupts: number; calleeLog: number } {
  return { cancels: cancelsSent(watched.console).length, interrupts: backend.interrupts.length, calleeLog: backend.calleeLog.length };
}

/** Cancel while the call runs (once `cancelAt` progress results arrived): the bar stops where it was, and the cancel reaches the callee. */
export async function expectCancelStopsTheBar(
  page: Page,
  s: LongopPageSelectors,
  backend: DemoBackend,
  watched: { console: string[] },
  steps: number,
  cancelAt = 3,
): Promise<void> {
  const before = counts(backend, watched);
  await startLongop(page, s, steps);
  await waitForBarAtLeast(page, s, cancelAt);
  await page.click(s.cancel);
  const status = await waitForStatus(page, s, 'cancelled');
  const stoppedAt = await barValue(page, s);
  expect(stoppedAt).to.be.within(cancelAt, steps - 1);
  expect(status).to.equal(`Cancelled at ${stoppedAt} / ${steps}: CANCEL sent`);
  await expectCancelReachedTheCallee(page, s, backend, watched, before, steps);
  // The teardown came after the INTERRUPT, so no progress for this call can still be on its way.
  expect(await barValue(page, s)).to.equal(stoppedAt);
  expect(await page.getAttribute(s.status, 'data-status')).to.equal('cancelled');
}
