import { AsyncPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { WampService } from './wamp.service';

/** The shell: connection indicator, navigation, the live counter and what the callee says. */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AsyncPipe, RouterLink, RouterLinkActive, RouterOutlet],
  template: `
    <header>
      <h1>rxwamp <span>in Angular</span></h1>
      <span class="connection" [attr.data-state]="connection$ | async" data-test="connection">
        <i></i>{{ connection$ | async }}
      </span>
    </header>
    <nav>
      <a routerLink="/longop" routerLinkActive="active" data-test="nav-longop">Long operation</a>
      <a routerLink="/about" routerLinkActive="active" data-test="nav-about">About</a>
    </nav>
    <main>
      <!-- One grid cell: the outlet puts the routed component beside itself. -->
      <div class="page"><router-outlet /></div>
      <aside>
        <section class="card">
          <h2>com.myapp.counter</h2>
          <p class="counter" data-test="counter">{{ (counter$ | async) ?? '…' }}</p>
        </section>
        <section class="card">
          <h2>Callee says</h2>
          <ul class="log" data-test="callee-log">
            @for (line of calleeLog(); track $index) { <li>{{ line }}</li> } @empty { <li class="none">nothing yet</li> }
          </ul>
        </section>
      </aside>
    </main>
  `,
})
export class App {
  private readonly wamp = inject(WampService);
  readonly connection$ = this.wamp.state$.pipe(map((state) => state.status));
  readonly counter$ = this.wamp.counter$;
  readonly calleeLog = toSignal(this.wamp.calleeLog$(), { initialValue: [] });
}
