import { Router, type RouterOptions } from '../../src/router/index.js';

export interface EmbeddedRouter {
  readonly url: string;
  readonly realm: string;
  readonly router: Router;
  stop(): Promise<void>;
}

/**
 * Starts the embedded router on 127.0.0.1 with a free port. `url` is ws://127.0.0.1:<port>/ws;
 * `realm` is the first realm ('realm1' by default).
 */
export async function startEmbeddedRouter(options: { realms?: string[] } & Partial<Omit<RouterOptions, 'realms'>> = {}): Promise<EmbeddedRouter> {
  const realms = options.realms ?? ['realm1'];
  const router = new Router({ ...options, realms, closeGraceMs: options.closeGraceMs ?? 200 });
  const { url } = await router.listen({ host: '127.0.0.1', port: 0, path: '/ws' });
  return { url, realm: realms[0]!, router, stop: () => router.close() };
}
