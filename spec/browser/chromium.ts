/** Debian's Chromium (installed by `npm test`'s pretest step), or CHROMIUM_PATH; headless on a closed network. */
export { CHROMIUM_PATH } from '../../scripts/ensure-test-deps.mjs';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
