/**
 * rxwamp/testing: a real rxwamp router in memory, for your application's unit tests, in any
 * runtime (Node, a browser, jsdom under Vitest or Jest, Bun, Deno). Clients connect through an
 * in-memory transport that still runs the serializers, so what a test sees is what would go on
 * the wire; the router is rxwamp/router's own core (realms, dealer, broker, authentication,
 * limits). It adds nothing to the browser core: import it from tests only.
 *
 * ```ts
 * import { createTestRouter } from 'rxwamp/testing';
 *
 * const router = createTestRouter();
 * const callee = await router.client();
 * callee.register('com.example.add', ([a, b]) => Number(a) + Number(b)).subscribe();
 * await router.waitFor(() => router.view().registrations.length === 1);
 * const caller = await router.client();
 * // caller.call$('com.example.add', [1, 2]) ... then:
 * await router.close();
 * ```
 *
 * See the guide "Testing your app" (docs/testing.md).
 *
 * @module rxwamp/testing
 */
export { createTestRouter, type TestRouter, type TestRouterOptions, type TestClientOptions, type TestUser, type SeenMessage } from './testing/test-router.js';
export type { MemoryWebSocketClass, FrameDirection } from './testing/memory-transport.js';
export type { RealmView, SessionView, RegistrationView, SubscriptionView, CallView } from './router/core/realm-view.js';
