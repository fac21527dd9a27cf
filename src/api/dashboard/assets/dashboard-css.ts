/** The dashboard's stylesheet (served at /dashboard.css). Embedded as a string: see index-html.ts. */
export const dashboardCss = String.raw`:root {
  --bg: #f4f5f7;
  --panel: #ffffff;
  --ink: #1d2330;
  --muted: #667085;
  --line: #e3e6eb;
  --alive: #1a7f37;
  --alive-bg: #dcf5e3;
  --suspect: #9a6700;
  --suspect-bg: #fff1c2;
  --dead: #c62828;
  --dead-bg: #fde2e1;
  --left: #57606a;
  --left-bg: #e8eaed;
  --accent: #2f5fb3;
  font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  font-size: 14px;
  color: var(--ink);
  background: var(--bg);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; }
code, .mono, td.addr, .events time { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }

header {
  display: flex; align-items: center; gap: 24px; flex-wrap: wrap;
  padding: 12px 20px; background: #1d2330; color: #fff;
}
.brand { display: flex; align-items: center; gap: 10px; }
.logo { width: 22px; height: 22px; border-radius: 50%; border: 5px solid #6aa1ff; border-right-color: #f28e2b; border-bottom-color: #b07aa1; }
h1 { font-size: 18px; margin: 0; font-weight: 600; }
h1 .node-name { color: #9ec1ff; }
.facts { display: flex; gap: 20px; margin: 0; flex-wrap: wrap; }
.facts div { display: flex; flex-direction: column; }
.facts dt { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: #a9b1c2; }
.facts dd { margin: 0; font-weight: 600; }
.connection { margin-left: auto; padding: 4px 12px; border-radius: 999px; font-weight: 600; background: #3a4254; }
.connection::before { content: ""; display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 7px; background: #a9b1c2; vertical-align: 0; }
.connection[data-connection="ok"] { background: #1f4d2e; }
.connection[data-connection="ok"]::before { background: #3fd46b; }
.connection[data-connection="lost"] { background: var(--dead); }
.connection[data-connection="lost"]::before { background: #fff; }
.connection[data-connection="unauthorized"] { background: var(--suspect); }

.banner { padding: 10px 20px; background: var(--dead); color: #fff; font-weight: 600; }
.auth { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; padding: 12px 20px; background: var(--suspect-bg); border-bottom: 1px solid #e9d48a; }
.auth input { padding: 5px 8px; border: 1px solid #c9b46a; border-radius: 4px; min-width: 240px; }
.auth button { padding: 5px 12px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
.auth .hint { color: var(--muted); font-size: 12px; }

main {
  display: grid; gap: 16px; padding: 16px 20px;
  grid-template-columns: minmax(380px, 1fr) minmax(480px, 1.5fr);
}
main.stale .panel { opacity: .55; filter: grayscale(.6); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
h2 { font-size: 15px; margin: 0 0 10px; display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
h2 .sub { font-weight: 400; color: var(--muted); font-size: 12.5px; }
h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 6px; }
.toggle { margin-left: auto; font-weight: 400; font-size: 12.5px; color: var(--muted); }

.ring-wrap { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
#ring { width: 260px; height: 260px; flex: none; }
#ring path { stroke: #fff; stroke-width: .25; stroke-linejoin: round; }
#ring .ring-empty { fill: none; stroke: var(--line); stroke-width: 30; }
#ring .center-big { font-size: 22px; font-weight: 700; fill: var(--ink); text-anchor: middle; }
#ring .center-small { font-size: 9px; fill: var(--muted); text-anchor: middle; }
.legend { list-style: none; margin: 0; padding: 0; min-width: 150px; }
.legend li { display: grid; grid-template-columns: 14px 1fr auto; gap: 8px; align-items: center; padding: 3px 0; }
.legend .share { font-variant-numeric: tabular-nums; font-weight: 600; }
.legend .tokens { grid-column: 2 / -1; color: var(--muted); font-size: 11.5px; margin-top: -3px; }
.legend li.out { color: var(--muted); }
.legend li.out .share { color: var(--dead); font-weight: 600; font-size: 11.5px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; }

table.members { width: 100%; border-collapse: collapse; }
.members th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; padding: 4px 8px; border-bottom: 1px solid var(--line); }
.members td { padding: 7px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
.members .num { text-align: right; font-variant-numeric: tabular-nums; }
.members tr[data-state] td:first-child { border-left: 4px solid transparent; }
.members tr[data-state="alive"] td:first-child { border-left-color: var(--alive); }
.members tr[data-state="suspect"] { background: var(--suspect-bg); }
.members tr[data-state="suspect"] td:first-child { border-left-color: var(--suspect); }
.members tr[data-state="dead"] { background: var(--dead-bg); }
.members tr[data-state="dead"] td:first-child { border-left-color: var(--dead); }
.members tr[data-state="dead"] td.name { text-decoration: line-through; text-decoration-color: var(--dead); }
.members tr[data-state="left"] { background: var(--left-bg); color: var(--muted); }
.members tr[data-state="left"] td:first-child { border-left-color: var(--left); }
.members td.name { font-weight: 600; }
.members .self-tag { font-size: 10.5px; font-weight: 600; color: var(--accent); border: 1px solid var(--accent); border-radius: 3px; padding: 0 4px; margin-left: 6px; }
.members a { color: var(--accent); text-decoration: none; }
.members a:hover { text-decoration: underline; }
.badge { display: inline-block; min-width: 62px; text-align: center; padding: 2px 8px; border-radius: 999px; font-size: 11.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
.badge.alive { color: var(--alive); background: var(--alive-bg); }
.badge.suspect { color: #fff; background: #d4a017; }
.badge.dead { color: #fff; background: var(--dead); }
.badge.left { color: #fff; background: var(--left); }

.ops-head { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; flex-wrap: wrap; }
.big { font-size: 34px; font-weight: 700; font-variant-numeric: tabular-nums; }
.unit { color: var(--muted); }
.ops-total { color: var(--muted); font-variant-numeric: tabular-nums; }
.spark { width: 100%; height: 70px; display: block; margin: 8px 0 2px; background: #fafbfc; border: 1px solid var(--line); border-radius: 4px; }
.spark-caption { display: flex; justify-content: space-between; color: var(--muted); font-size: 11.5px; margin-bottom: 8px; font-variant-numeric: tabular-nums; }
.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.6; vector-effect: non-scaling-stroke; }
.spark polygon { fill: #2f5fb322; stroke: none; }
.by-op { display: grid; grid-template-columns: repeat(auto-fill, minmax(90px, 1fr)); gap: 6px; margin: 0; }
.by-op div { background: #fafbfc; border: 1px solid var(--line); border-radius: 4px; padding: 4px 8px; }
.by-op dt { font-size: 11px; color: var(--muted); text-transform: uppercase; }
.by-op dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }

.keys { display: flex; flex-direction: column; gap: 8px; }
.key-row { display: grid; grid-template-columns: 90px 1fr 150px; gap: 10px; align-items: center; }
.key-row .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.key-row .bar { height: 14px; background: #eef0f3; border-radius: 3px; overflow: hidden; }
.key-row .bar span { display: block; height: 100%; border-radius: 3px; min-width: 2px; }
.key-row .figure { font-variant-numeric: tabular-nums; text-align: right; }
.key-row .figure small { color: var(--muted); display: block; font-size: 11px; }
.key-row[data-status="error"] .figure, .key-row[data-status="skipped"] .figure { color: var(--dead); font-weight: 600; }
.key-row[data-status="skipped"] .bar, .key-row[data-status="error"] .bar { background: repeating-linear-gradient(45deg, #f3d6d5, #f3d6d5 4px, #fbeceb 4px, #fbeceb 8px); }

.events { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow-y: auto; }
.events li { display: grid; grid-template-columns: 96px 132px 1fr; gap: 10px; padding: 4px 6px; border-bottom: 1px solid var(--line); align-items: center; }
.events li.fresh { animation: fresh 1.5s ease-out; }
@keyframes fresh { from { background: #fff6cc; } to { background: transparent; } }
.events time { color: var(--muted); }
.events .etype { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; padding: 1px 6px; border-radius: 4px; text-align: center; background: #eef0f3; color: var(--ink); }
.events [data-event-type="join"] .etype, .events [data-event-type="alive"] .etype, .events [data-event-type="joined"] .etype { background: var(--alive-bg); color: var(--alive); }
.events [data-event-type="suspect"] .etype { background: #d4a017; color: #fff; }
.events [data-event-type="dead"] .etype { background: var(--dead); color: #fff; }
.events [data-event-type="dead"] { background: #fff5f5; }
.events [data-event-type="leave"] .etype { background: var(--left); color: #fff; }
.events [data-event-type="refute"] .etype { background: #ead9f2; color: #6b3a86; }
.events [data-event-kind="kv"] .etype { background: #e3ecfa; color: var(--accent); }
.events.membership-only [data-event-kind="kv"] { display: none; }
.events .empty, .keys .empty { color: var(--muted); font-style: italic; display: block; }

footer { padding: 0 20px 16px; color: var(--muted); font-size: 12px; }

@media (max-width: 960px) { main { grid-template-columns: 1fr; } }
`;
