import type { ReconnectOptions } from './options.js';

/**
 * The delay before reconnection attempt `attempt` (1, 2, …): exponential growth from
 * `initialDelay` by `factor`, capped at `maxDelay`, then moved at random by up to ± `jitter`.
 */
export function backoffDelay(attempt: number, options: Required<ReconnectOptions>, random: () => number = Math.random): number {
  const grown = options.initialDelay * options.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxDelay, grown);
  const jittered = capped * (1 + options.jitter * (2 * random() - 1));
  return Math.max(0, Math.round(jittered));
}
