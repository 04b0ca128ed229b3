import { provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideRouter } from '@angular/router';
import { routes } from './app.routes';

/**
 * Zoneless: every value on the page arrives through an Observable bound with `toSignal` or
 * `| async`, and both tell Angular what changed, so zone.js (which patches every timer and
 * socket to guess) has nothing to add; it is Angular 21's default for new apps, too.
 */
export const appConfig: ApplicationConfig = {
  providers: [provideZonelessChangeDetection(), provideRouter(routes)],
};
