/** The plain browser demo's markup and style (page.ts fills it in). */
export const PAGE_HEAD = `<meta name="viewport" content="width=device-width, initial-scale=1"><style>
:root { --ink: #1d2330; --muted: #6b7385; --line: #e3e6ee; --accent: #3b6ef5; --ok: #1f9d55; --warn: #d97706; --bad: #dc2626; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f5f7fb; }
header { display: flex; align-items: center; justify-content: space-between; padding: 14px 28px; background: var(--ink); color: #fff; }
header h1 { margin: 0; font-size: 20px; } header h1 span { color: #9fb4ff; font-weight: 400; }
#connection { display: inline-flex; align-items: center; gap: 8px; padding: 3px 12px; border-radius: 999px; background: #ffffff1a; font-size: 13px; }
#connection i { width: 10px; height: 10px; border-radius: 50%; background: var(--warn); }
#connection[data-state="open"] i { background: #34d27b; box-shadow: 0 0 6px #34d27b; }
#connection[data-state="closed"] i, #connection[data-state="reconnecting"] i { background: var(--bad); }
main { display: grid; grid-template-columns: minmax(0, 2fr) minmax(240px, 1fr); gap: 18px; padding: 18px 28px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin-bottom: 18px; }
.card h2 { margin: 0 0 8px; font-size: 15px; font-family: ui-monospace, monospace; }
.hint { color: var(--muted); margin: 0 0 14px; }
.controls { display: flex; gap: 10px; align-items: center; margin-bottom: 14px; }
.controls input { width: 70px; padding: 5px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
button { padding: 7px 16px; border: 0; border-radius: 6px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
button.secondary { background: var(--bad); } button:disabled { opacity: .4; cursor: default; }
.bar { height: 22px; border-radius: 11px; background: #eceff5; overflow: hidden; }
.fill { height: 100%; width: 0; background: var(--accent); transition: width .15s ease-out; }
.fill.done { background: var(--ok); } .fill.cancelled, .fill.failed { background: var(--bad); }
#status { margin: 10px 0 0; font-variant-numeric: tabular-nums; }
#counter { margin: 0; font-size: 34px; font-weight: 700; font-variant-numeric: tabular-nums; }
#callee-log { margin: 0; padding-left: 18px; font: 12.5px/1.5 ui-monospace, monospace; }
#callee-log .none { color: var(--muted); list-style: none; margin-left: -18px; }
</style>`;

export const PAGE_BODY = `
<header><h1>rxwamp <span>in the browser</span></h1><span id="connection"><i></i><b>idle</b></span></header>
<main>
  <section class="card">
    <h2>com.myapp.longop</h2>
    <p class="hint">Each progressive result fills the bar. Cancel unsubscribes, which sends CANCEL: the router interrupts the callee, whose teardown shows on the right.</p>
    <div class="controls">
      <label>steps <input id="steps" type="number" min="1" max="1000" value="20"></label>
      <button id="start" type="button">Run longop</button>
      <button id="cancel" class="secondary" type="button" disabled>Cancel</button>
    </div>
    <div id="bar" class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="0" aria-valuenow="0"><div class="fill"></div></div>
    <p id="status" data-status="idle">Not started</p>
  </section>
  <aside>
    <section class="card"><h2>com.myapp.counter</h2><p id="counter">…</p></section>
    <section class="card"><h2>Callee says</h2><ul id="callee-log"><li class="none">nothing yet</li></ul></section>
  </aside>
</main>`;
