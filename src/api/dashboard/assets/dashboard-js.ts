/**
 * The dashboard's script (served at /dashboard.js): plain modern browser JavaScript, no framework.
 * Embedded as a string (see index-html.ts); it must not contain backquotes or dollar-brace pairs
 * (String.raw template). test/api/dashboard-assets.test.ts parses it.
 *
 * Every second it polls this node's /v1/members, /v1/stats and /v1/events?after=N, and
 * /v1/cluster/info (the node's server-side fan-out to its peers); /v1/ring is fetched on start,
 * when membership or the ring changes, and every 10 s. A failed poll marks the page "connection
 * lost" (once, no error spam) and retries with backoff up to 5 s; a 401 shows the token form.
 */
export const dashboardJs = String.raw`'use strict';
(() => {
  const POLL_MS = 1000;
  const RETRY_MAX_MS = 5000;
  const RING_REFRESH_MS = 10000;
  const REQUEST_TIMEOUT_MS = 3000;
  const FEED_MAX = 150;
  const RATE_POINTS = 60;
  const TOKEN_KEY = 'ringkv-dashboard-token';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const RING_SIZE = 2 ** 53;
  const PALETTE = ['#4e79a7', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#59a14f', '#86bcb6', '#d37295', '#a0cbe8', '#ffbe7d'];
  const MEMBERSHIP_EVENTS = new Set(['join', 'update', 'suspect', 'alive', 'dead', 'leave', 'refute', 'joined']);

  const $ = (id) => document.getElementById(id);

  // ---- small helpers ----

  /** Builds an element: el('td', { class: 'num', 'data-x': 1 }, 'text', childNode, ...). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
  }
  const byName = (a, b) => String(a).localeCompare(String(b), 'en', { numeric: true });
  const fmtInt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '-');
  function fmtRate(r) {
    if (!Number.isFinite(r)) return '-';
    return r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1);
  }
  function fmtBytes(b) {
    if (typeof b !== 'number') return '-';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return (i === 0 ? String(b) : b.toFixed(1)) + ' ' + units[i];
  }
  function fmtDuration(ms) {
    if (typeof ms !== 'number') return '-';
    let s = Math.floor(ms / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + s + 's';
    return s + 's';
  }
  const pad = (n, w) => String(n).padStart(w, '0');
  function fmtTime(ms) {
    const d = new Date(ms);
    return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.' + pad(d.getMilliseconds(), 3);
  }

  // ---- token ----

  function storage() {
    try { return window.sessionStorage; } catch { return null; }
  }
  function readToken() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      let t = m[1];
      try { t = decodeURIComponent(t); } catch { /* keep it raw */ }
      storage()?.setItem(TOKEN_KEY, t);
      // Drop the token from the address bar (and this history entry).
      history.replaceState(null, '', location.pathname + location.search);
      return t;
    }
    return storage()?.getItem(TOKEN_KEY) ?? null;
  }
  let token = readToken();

  // ---- fetching ----

  class PollError extends Error {
    constructor(kind, message, status) { super(message); this.kind = kind; this.status = status; }
  }

  async function getJson(path) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    let res;
    try {
      res = await fetch(path, { headers, cache: 'no-store', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (e) {
      throw new PollError('network', e && e.name === 'TimeoutError' ? 'no answer within ' + REQUEST_TIMEOUT_MS + ' ms' : 'node unreachable');
    }
    if (res.status === 401) throw new PollError('auth', 'token required', 401);
    if (!res.ok) throw new PollError('http', path + ': HTTP ' + res.status, res.status);
    return res.json();
  }

  // ---- state ----

  const state = {
    connection: 'connecting',
    failures: 0,
    lastOk: 0,
    selfName: null,
    members: [],
    colors: new Map(),
    ringText: null,
    ringMembersSig: null,
    ringFetchedAt: 0,
    ringWanted: true,
    membersSig: '',
    eventSeq: 0,
    feed: [],
    uptimeMs: null,
    lastSample: null,
    rates: [],
    clusterInfo: null,
    epoch: 0,
  };

  function colorOf(name) {
    let c = state.colors.get(name);
    if (c === undefined) {
      const i = state.colors.size;
      c = i < PALETTE.length ? PALETTE[i] : 'hsl(' + Math.round((i * 137.508) % 360) + ', 55%, 55%)';
      state.colors.set(name, c);
    }
    return c;
  }
  /** Colours go to names in sorted order on first sight, then never change for the session. */
  function assignColors(names) {
    for (const n of [...names].sort(byName)) colorOf(n);
  }

  // ---- connection status ----

  function setConnection(next, detail) {
    const changed = next !== state.connection;
    state.connection = next;
    const badge = $('connection');
    badge.dataset.connection = next;
    const banner = $('banner');
    const main = $('main');
    if (next === 'ok') {
      badge.textContent = 'live';
      banner.hidden = true;
      main.classList.remove('stale');
      $('auth').hidden = true;
    } else if (next === 'lost') {
      badge.textContent = 'connection lost';
      banner.hidden = false;
      banner.textContent = 'Connection lost: ' + (detail || 'node unreachable') + '. Retrying' + (state.lastOk ? '; data shown is from ' + fmtTime(state.lastOk) + '.' : '.');
      main.classList.add('stale');
    } else if (next === 'unauthorized') {
      badge.textContent = 'token required';
      banner.hidden = true;
      $('auth').hidden = false;
      main.classList.add('stale');
    }
    if (changed && next !== 'ok') console.warn('ringkv dashboard: ' + next + (detail ? ' (' + detail + ')' : ''));
    if (changed && next === 'ok' && state.failures > 0) console.info('ringkv dashboard: connection restored');
  }

  // ---- members ----

  function endpointUrl(hostPort) {
    // An unspecified bind address is reachable as the host the page came from.
    const m = /^(\[[^\]]*\]|[^:]+):(\d+)$/.exec(hostPort);
    if (!m) return null;
    let host = m[1];
    if (host === '0.0.0.0' || host === '[::]') host = location.hostname.includes(':') ? '[' + location.hostname + ']' : location.hostname;
    return 'http://' + host + ':' + m[2] + '/' + (token ? '#token=' + encodeURIComponent(token) : '');
  }

  function keysOf(name) {
    const entry = state.clusterInfo && state.clusterInfo.nodes.find((n) => n.name === name);
    return entry && entry.status === 'ok' ? entry.info.keys : null;
  }

  function renderMembers(members) {
    state.members = members;
    assignColors(members.map((m) => m.name));
    const counts = { alive: 0, suspect: 0, dead: 0, left: 0 };
    for (const m of members) counts[m.state] = (counts[m.state] || 0) + 1;
    const cc = $('member-counts');
    cc.textContent = counts.alive + ' alive, ' + counts.suspect + ' suspect, ' + counts.dead + ' dead, ' + counts.left + ' left';
    const self = members.find((m) => m.self);
    if (self) {
      state.selfName = self.name;
      $('node-name').textContent = self.name;
      $('members-seen-by').textContent = self.name;
      document.title = self.name + ' - ringkv dashboard';
    }
    const body = $('members-body');
    const rows = [...members].sort((a, b) => byName(a.name, b.name)).map((m) => {
      const http = m.endpoints && m.endpoints.http;
      const resp = m.endpoints && m.endpoints.resp;
      const link = http ? endpointUrl(http) : null;
      const keys = keysOf(m.name);
      return el('tr', { 'data-member': m.name, 'data-state': m.state, 'data-self': m.self ? 'true' : null },
        el('td', null, swatch(colorOf(m.name))),
        el('td', { class: 'name' }, m.name, m.self ? el('span', { class: 'self-tag' }, 'this node') : null),
        el('td', null, el('span', { class: 'badge ' + m.state, 'data-state-badge': m.state }, m.state)),
        el('td', { class: 'num' }, m.incarnation),
        el('td', { class: 'addr' }, m.addr),
        el('td', { class: 'addr' }, http ? (link && !m.self ? el('a', { href: link, title: 'open ' + m.name + "'s dashboard" }, http) : http) : '-'),
        el('td', { class: 'addr' }, resp || '-'),
        el('td', { class: 'num', 'data-keys': keys === null ? null : keys }, keys === null ? '-' : fmtInt(keys)));
    });
    body.replaceChildren(...rows);
    // Membership changed (a state, a member): the ring may have too.
    const sig = members.map((m) => m.name + ':' + m.state).sort().join(',');
    if (sig !== state.membersSig) {
      state.membersSig = sig;
      state.ringWanted = true;
    }
  }

  function swatch(color) {
    const s = el('span', { class: 'swatch' });
    s.style.background = color;
    return s;
  }

  // ---- ring ----

  function pointAt(pos, radius) {
    const a = (pos / RING_SIZE) * 2 * Math.PI - Math.PI / 2;
    return (radius * Math.cos(a)).toFixed(3) + ' ' + (radius * Math.sin(a)).toFixed(3);
  }

  /** An annulus sector from ring position a to b, clockwise, spanning less than half the ring. */
  function sector(a, b, outer, inner) {
    const large = 0;
    return 'M' + pointAt(a, outer) + ' A' + outer + ' ' + outer + ' 0 ' + large + ' 1 ' + pointAt(b, outer) +
      ' L' + pointAt(b, inner) + ' A' + inner + ' ' + inner + ' 0 ' + large + ' 0 ' + pointAt(a, inner) + ' Z';
  }

  /** Path data for the range (start, end], wrapping; split in pieces under a quarter ring each. */
  function rangePath(start, end, outer, inner) {
    let span = end - start;
    if (span <= 0) span += RING_SIZE;
    const pieces = Math.max(1, Math.ceil(span / (RING_SIZE / 4)));
    let d = '';
    for (let i = 0; i < pieces; i++) {
      const a = start + (span * i) / pieces;
      const b = start + (span * (i + 1)) / pieces;
      d += sector(a, b, outer, inner) + ' ';
    }
    return d;
  }

  function renderRing(ring) {
    const root = $('ring');
    const nodes = [...(ring.nodes || [])].sort((a, b) => byName(a.name, b.name));
    assignColors(nodes.map((n) => n.name));
    // Consecutive ranges with the same primary are drawn as one arc.
    const arcs = [];
    for (const r of ring.ranges || []) {
      const primary = r.replicas && r.replicas[0];
      if (primary === undefined) continue;
      const last = arcs[arcs.length - 1];
      if (last && last.node === primary && last.end === r.start) last.end = r.end;
      else arcs.push({ node: primary, start: r.start, end: r.end });
    }
    const paths = new Map();
    for (const a of arcs) paths.set(a.node, (paths.get(a.node) || '') + rangePath(a.start, a.end, 100, 66));
    const children = [svg('circle', { class: 'ring-empty', r: 84 })];
    for (const n of nodes) {
      const d = paths.get(n.name);
      if (!d) continue;
      children.push(svg('path', { d, fill: colorOf(n.name), 'data-ring-node': n.name, 'data-share': n.primaryShare },
        svg('title', null, n.name + ': primary for ' + (n.primaryShare * 100).toFixed(1) + '% of the ring, ' + n.tokens + ' tokens')));
    }
    children.push(svg('text', { class: 'center-big', y: 4 }, String(nodes.length)));
    children.push(svg('text', { class: 'center-small', y: 18 }, nodes.length === 1 ? 'node' : 'nodes'));
    children.push(svg('text', { class: 'center-small', y: 30 }, 'N=' + ring.replicationFactor));
    root.replaceChildren(...children);
    root.dataset.nodes = String(nodes.length);

    $('ring-meta').textContent = (ring.ranges || []).length + ' ranges, ' + ring.tokensPerNode + ' tokens per node, replication factor ' + ring.replicationFactor;
    const legend = $('ring-legend');
    legend.replaceChildren(...nodes.map((n) =>
      el('li', { 'data-legend-node': n.name },
        swatch(colorOf(n.name)),
        el('span', null, n.name),
        el('span', { class: 'share' }, (n.primaryShare * 100).toFixed(1) + '%'),
        el('span', { class: 'tokens' }, n.tokens + ' tokens'))));
    // Members the ring leaves out (dead, left, still joining): listed so their absence is explicit.
    const inRing = new Set(nodes.map((n) => n.name));
    for (const m of [...state.members].sort((a, b) => byName(a.name, b.name))) {
      if (inRing.has(m.name)) continue;
      legend.append(el('li', { class: 'out', 'data-legend-out': m.name }, swatch(colorOf(m.name)), el('span', null, m.name), el('span', { class: 'share' }, 'not in ring'), el('span', { class: 'tokens' }, m.state)));
    }
    if (nodes.length === 0 && state.members.length === 0) legend.replaceChildren(el('li', null, el('span'), el('span', null, 'no ring yet')));
  }

  async function pollRing(now) {
    if (!state.ringWanted && now - state.ringFetchedAt < RING_REFRESH_MS) return;
    const ring = await getJson('/v1/ring');
    state.ringWanted = false;
    state.ringFetchedAt = now;
    const text = JSON.stringify(ring);
    if (text === state.ringText && state.membersSig === state.ringMembersSig) return;
    state.ringText = text;
    state.ringMembersSig = state.membersSig;
    renderRing(ring);
  }

  // ---- events ----

  function describeEvent(e) {
    const who = e.member;
    const inc = e.incarnation !== undefined ? ' (incarnation ' + e.incarnation + ')' : '';
    switch (e.type) {
      case 'join': return who + ' joined at ' + e.addr + inc;
      case 'update': return who + ' updated its address or metadata' + inc;
      case 'suspect': return who + ' suspected by ' + e.from + inc;
      case 'alive': return who + ' is alive again' + inc;
      case 'dead': return who + ' declared dead by ' + e.from + inc;
      case 'leave': return who + ' left the cluster' + inc;
      case 'refute': return 'this node refuted a suspicion about itself' + inc;
      case 'joined': return 'this node joined the cluster via ' + e.via;
      case 'kv-ring-changed': return 'ring rebuilt: ' + e.nodes + ' live nodes';
      case 'kv-hint-stored': return 'hint stored for ' + e.target + ' (key ' + JSON.stringify(e.key) + ')';
      case 'kv-hints-replayed': return e.count + ' hints replayed to ' + e.target;
      case 'kv-read-repair': return 'read repair of key ' + JSON.stringify(e.key) + ' on ' + e.replica;
      case 'kv-transferred': return e.count + ' keys handed to ' + e.target;
      case 'kv-dropped': return e.count + ' keys dropped (no longer owned, new owners have them)';
      case 'kv-anti-entropy': return 'anti-entropy with ' + e.peer + ': ' + e.repaired + ' keys repaired';
      default: {
        const rest = Object.entries(e).filter(([k]) => k !== 'type').map(([k, v]) => k + '=' + (typeof v === 'object' ? JSON.stringify(v) : v));
        return rest.join(' ');
      }
    }
  }

  /**
   * Repetitive KV events (hints stored for a dead node, read repairs, ...) are folded: a run of
   * the same type about the same peer is one row with a count, so they cannot flood the feed.
   */
  function foldKey(e) {
    if (MEMBERSHIP_EVENTS.has(e.type) || e.type === 'kv-ring-changed') return null;
    return e.type + '|' + (e.target || e.replica || e.peer || e.coordinator || '');
  }

  function eventItem(entry, fresh) {
    const e = entry.event || {};
    const kind = MEMBERSHIP_EVENTS.has(e.type) ? 'membership' : 'kv';
    return el('li', { 'data-seq': entry.seq, 'data-event-type': e.type, 'data-event-kind': kind, 'data-event-member': e.member, 'data-fold': foldKey(e), 'data-count': 1, class: fresh ? 'fresh' : null },
      el('time', { datetime: new Date(entry.atMs).toISOString() }, fmtTime(entry.atMs)),
      el('span', { class: 'etype' }, e.type),
      el('span', { class: 'etext' }, describeEvent(e)));
  }

  /** Adds one entry at the top of the feed, or folds it into the top row. */
  function addEvent(list, entry, fresh) {
    const e = entry.event || {};
    const fold = foldKey(e);
    const top = list.firstElementChild;
    if (fold !== null && top && top.dataset.fold === fold) {
      const count = Number(top.dataset.count) + 1;
      top.dataset.count = String(count);
      top.dataset.seq = String(entry.seq);
      const time = top.querySelector('time');
      time.textContent = fmtTime(entry.atMs);
      time.setAttribute('datetime', new Date(entry.atMs).toISOString());
      top.querySelector('.etext').textContent = describeEvent(e) + ' (' + count + ' in a row, latest shown)';
      return;
    }
    list.prepend(eventItem(entry, fresh));
  }

  async function pollEvents() {
    const epoch = state.epoch;
    const body = await getJson('/v1/events?after=' + state.eventSeq);
    if (epoch !== state.epoch) return; // the node restarted meanwhile
    const entries = body.events || [];
    const list = $('events');
    const first = state.eventSeq === 0;
    if (entries.length > 0) {
      list.querySelector('.empty')?.remove();
      for (const entry of entries) {
        if (entry.seq <= state.eventSeq) continue;
        state.eventSeq = entry.seq;
        addEvent(list, entry, !first);
      }
      while (list.children.length > FEED_MAX) list.lastElementChild.remove();
      if (entries.some((entry) => entry.event && (entry.event.type === 'kv-ring-changed' || MEMBERSHIP_EVENTS.has(entry.event.type)))) state.ringWanted = true;
    } else if (list.querySelector('li:not(.empty)') === null) {
      list.replaceChildren(el('li', { class: 'empty' }, 'no events yet'));
    }
  }

  // ---- stats and rates ----

  function renderStats(s) {
    // A restart (uptime went back) resets the event cursor and the rate baseline.
    if (state.uptimeMs !== null && s.uptimeMs < state.uptimeMs) {
      state.epoch++;
      state.eventSeq = 0;
      state.lastSample = null;
      state.rates = [];
      $('events').replaceChildren();
    }
    state.uptimeMs = s.uptimeMs;
    $('node-version').textContent = s.version;
    $('node-uptime').textContent = fmtDuration(s.uptimeMs);
    const health = $('node-health');
    health.textContent = s.status;
    health.dataset.health = s.status;
    $('ops-total').textContent = fmtInt(s.requestsTotal);
    $('ops-total').dataset.total = String(s.requestsTotal);
    $('ops-not-ok').textContent = fmtInt(s.requestsNotOk);

    const prev = state.lastSample;
    state.lastSample = s;
    if (!prev) return;
    const dt = (s.uptimeMs - prev.uptimeMs) / 1000;
    if (dt <= 0) return;
    const rate = Math.max(0, s.requestsTotal - prev.requestsTotal) / dt;
    state.rates.push(rate);
    if (state.rates.length > RATE_POINTS) state.rates.shift();
    const rateEl = $('ops-rate');
    rateEl.textContent = fmtRate(rate);
    rateEl.dataset.rate = rate.toFixed(3);
    const ops = Object.keys(Object.assign({ read: 0, put: 0, create: 0, update: 0, delete: 0 }, s.byOp));
    $('ops-by-op').replaceChildren(...ops.map((op) => {
      const r = Math.max(0, ((s.byOp[op] || 0) - ((prev.byOp || {})[op] || 0)) / dt);
      return el('div', { 'data-op': op }, el('dt', null, op), el('dd', null, fmtRate(r) + '/s'));
    }));
    renderSpark();
  }

  function renderSpark() {
    const root = $('ops-spark');
    const w = 300;
    const h = 60;
    const max = Math.max(1, ...state.rates);
    const step = w / (RATE_POINTS - 1);
    const offset = RATE_POINTS - state.rates.length;
    const pts = state.rates.map((r, i) => ((offset + i) * step).toFixed(1) + ',' + (h - 2 - (r / max) * (h - 8)).toFixed(1));
    $('ops-peak').textContent = pts.length === 0 ? '' : 'peak ' + fmtRate(Math.max(0, ...state.rates)) + ' ops/s';
    if (pts.length === 0) { root.replaceChildren(); return; }
    const area = [((offset) * step).toFixed(1) + ',' + h, ...pts, (w).toFixed(1) + ',' + h].join(' ');
    root.replaceChildren(
      svg('polygon', { points: area }),
      svg('polyline', { points: pts.join(' ') }),
      svg('title', null, 'peak ' + fmtRate(max) + ' ops/s over the last ' + state.rates.length + ' s'));
  }

  // ---- keys per node (server-side fan-out) ----

  function renderClusterInfo(body) {
    state.clusterInfo = body;
    const nodes = [...body.nodes].sort((a, b) => byName(a.name, b.name));
    assignColors(nodes.map((n) => n.name));
    const max = Math.max(1, ...nodes.map((n) => (n.status === 'ok' ? n.info.keys : 0)));
    const root = $('keys');
    if (nodes.length === 0) { root.replaceChildren(el('span', { class: 'empty' }, 'no members yet')); return; }
    root.replaceChildren(...nodes.map((n) => {
      const ok = n.status === 'ok';
      const bar = el('span');
      bar.style.width = ok ? ((n.info.keys / max) * 100).toFixed(1) + '%' : '0';
      bar.style.background = colorOf(n.name);
      const figure = ok
        ? el('div', { class: 'figure' }, fmtInt(n.info.keys) + ' keys', el('small', null, fmtInt(n.info.tombstones) + ' tombstones, ' + fmtBytes(n.info.bytes)))
        : el('div', { class: 'figure', title: n.status === 'error' ? n.error : n.reason }, n.status === 'error' ? 'unreachable' : n.state === 'dead' || n.state === 'left' ? n.state : 'not asked',
          el('small', null, n.status === 'error' ? n.error : n.reason));
      return el('div', { class: 'key-row', 'data-node-keys': n.name, 'data-status': n.status, 'data-keys': ok ? n.info.keys : null },
        el('span', { class: 'name' }, n.name),
        el('div', { class: 'bar' }, bar),
        figure);
    }));
    // Key counts also show in the members table.
    for (const n of nodes) {
      const cell = document.querySelector('#members-body tr[data-member="' + CSS.escape(n.name) + '"] td:last-child');
      if (cell) {
        cell.textContent = n.status === 'ok' ? fmtInt(n.info.keys) : '-';
        if (n.status === 'ok') cell.dataset.keys = String(n.info.keys);
        else delete cell.dataset.keys;
      }
    }
  }

  // ---- loops ----

  function onFailure(error) {
    if (error instanceof PollError && error.kind === 'auth') {
      setConnection('unauthorized');
      return;
    }
    state.failures++;
    setConnection('lost', error instanceof PollError ? error.message : String(error));
  }

  async function tick() {
    const now = performance.now();
    try {
      const [members, stats] = await Promise.all([getJson('/v1/members'), getJson('/v1/stats')]);
      renderStats(stats);
      renderMembers(members.members || []);
      await Promise.all([pollEvents(), pollRing(now)]);
      state.lastOk = Date.now();
      $('last-update').textContent = fmtTime(state.lastOk);
      setConnection('ok');
      state.failures = 0;
      if (!clusterLoopStarted) {
        clusterLoopStarted = true;
        clusterLoop();
      }
    } catch (error) {
      onFailure(error);
    }
  }

  let mainTimer = null;
  let clusterLoopStarted = false;
  async function mainLoop() {
    mainTimer = null;
    await tick();
    if (state.connection === 'unauthorized') return; // resumes when a token is entered
    const delay = state.connection === 'ok' ? POLL_MS : Math.min(RETRY_MAX_MS, POLL_MS * 2 ** Math.min(state.failures - 1, 3));
    mainTimer = setTimeout(mainLoop, delay);
  }

  /** The fan-out has its own loop (started by the first good poll): a slow peer must not delay the rest of the page. */
  async function clusterLoop() {
    if (state.connection === 'ok') {
      try {
        renderClusterInfo(await getJson('/v1/cluster/info'));
      } catch {
        // the main loop reports the connection state
      }
    }
    setTimeout(clusterLoop, POLL_MS);
  }

  $('auth').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = $('token-input').value.trim();
    if (!value) return;
    token = value;
    storage()?.setItem(TOKEN_KEY, token);
    $('token-input').value = '';
    $('auth').hidden = true;
    setConnection('connecting');
    $('connection').textContent = 'connecting...';
    if (mainTimer !== null) clearTimeout(mainTimer);
    mainLoop();
  });

  $('events-membership-only').addEventListener('change', (ev) => {
    $('events').classList.toggle('membership-only', ev.target.checked);
  });

  mainLoop();
})();
`;
