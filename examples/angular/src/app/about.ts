import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Somewhere else to go: leaving the longop page while a call runs cancels that call. */
@Component({
  selector: 'app-about',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-test="about">
      <h2>About</h2>
      <p>The longop component was destroyed on the way here. If its call was still running,
        <code>takeUntilDestroyed()</code> unsubscribed it: rxwamp sent CANCEL, the router interrupted
        the callee, and the callee's teardown shows under <em>Callee says</em>.</p>
    </section>
  `,
})
export class About {}
