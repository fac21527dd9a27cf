/**
 * The dashboard page (served at `/`). Embedded as a string so `tsc` carries it into dist/ with
 * the code (no copy step); the script and style are /dashboard.js and /dashboard.css.
 * The ids and data attributes are the page's contract with its script and the browser test.
 */
export const indexHtml = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ringkv dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header id="top">
  <div class="brand">
    <span class="logo" aria-hidden="true"></span>
    <h1>ringkv <span id="node-name" class="node-name">&hellip;</span></h1>
  </div>
  <dl id="node-facts" class="facts">
    <div><dt>health</dt><dd id="node-health">&ndash;</dd></div>
    <div><dt>version</dt><dd id="node-version">&ndash;</dd></div>
    <div><dt>uptime</dt><dd id="node-uptime">&ndash;</dd></div>
    <div><dt>members</dt><dd id="member-counts">&ndash;</dd></div>
  </dl>
  <div id="connection" class="connection" data-connection="connecting" role="status" aria-live="polite">connecting&hellip;</div>
</header>

<div id="banner" class="banner" hidden></div>

<form id="auth" class="auth" hidden>
  <label for="token-input">This node requires an API token.</label>
  <input id="token-input" type="password" autocomplete="off" placeholder="token" required>
  <button type="submit">Use token</button>
  <span class="hint">Kept in this tab only (sessionStorage). You can also open the page as <code>/#token=&hellip;</code>.</span>
</form>

<main id="main">
  <section id="ring-panel" class="panel">
    <h2>Token ring <span id="ring-meta" class="sub"></span></h2>
    <div class="ring-wrap">
      <svg id="ring" viewBox="-120 -120 240 240" role="img" aria-label="token ring: ranges coloured by primary node"></svg>
      <div>
        <h3>Primary share</h3>
        <ul id="ring-legend" class="legend"></ul>
      </div>
    </div>
  </section>

  <section id="members-panel" class="panel">
    <h2>Members <span class="sub">as <span id="members-seen-by">this node</span> sees them</span></h2>
    <table id="members" class="members">
      <thead>
        <tr><th></th><th>name</th><th>state</th><th class="num">inc.</th><th>gossip</th><th>HTTP</th><th>RESP</th><th class="num">keys</th></tr>
      </thead>
      <tbody id="members-body"></tbody>
    </table>
  </section>

  <section id="ops-panel" class="panel">
    <h2>Operations <span class="sub">coordinated by this node</span></h2>
    <div class="ops-head">
      <div><span id="ops-rate" class="big" data-rate="0">&ndash;</span> <span class="unit">ops/s</span></div>
      <div class="ops-total">total <span id="ops-total" data-total="0">&ndash;</span>, not ok <span id="ops-not-ok">&ndash;</span></div>
    </div>
    <svg id="ops-spark" class="spark" viewBox="0 0 300 60" preserveAspectRatio="none" aria-label="operations per second, last 60 s"></svg>
    <div class="spark-caption"><span>ops/s over the last minute</span><span id="ops-peak"></span></div>
    <dl id="ops-by-op" class="by-op"></dl>
  </section>

  <section id="keys-panel" class="panel">
    <h2>Keys per node <span class="sub">stored locally, tombstones included</span></h2>
    <div id="keys" class="keys"><span class="empty">asking the members&hellip;</span></div>
  </section>

  <section id="events-panel" class="panel wide">
    <h2>Events <span class="sub">newest first, as this node saw them</span>
      <label class="toggle"><input id="events-membership-only" type="checkbox"> membership only</label>
    </h2>
    <ol id="events" class="events"><li class="empty">loading&hellip;</li></ol>
  </section>
</main>

<footer>
  Updated every second from this node&rsquo;s API &middot; last update <span id="last-update">never</span>
</footer>
</body>
</html>
`;
