// Manual acceptance check for issue 4 (the figures in its note): against the 5-node cluster of
// `npm start` (default ports), 8 writers put keys at QUORUM through the client library to all
// five nodes; after 1,000 acknowledgements node-3 is killed with SIGKILL, every survivor's view is
// polled until it says dead, 2,000 more writes are acknowledged, every acknowledged key is read
// back at QUORUM, then node-3 is restarted with its data directory and polled until it holds every
// key it is a replica of. Usage, from the repository root, with `npm start` running elsewhere:
//   node scripts/kill-under-load.mjs <pid of node-3 from the table npm start printed>
// The restarted node-3 keeps running in the background; stop it with `kill <restartPid>`.

import { Client } from '../dist/src/client/index.js';
import { Ring } from '../dist/src/ring/ring.js';
import { spawn } from 'node:child_process';
const nodes = [1,2,3,4,5].map((i) => `127.0.0.1:${8080 + i}`);
const client = new Client({ nodes, timeoutMs: 3000, retries: 3 });
const victimPid = Number(process.argv[2]);
const acked = new Map(); let failed = 0; let phase = 'before'; let seq = 0; const whileDown = new Set();
const states = async (h) => new Map((await (await fetch(`http://${h}/v1/members`)).json()).members.map((m) => [m.name, m.state]));
const writer = async (w) => { while (phase !== 'stop') { const k = `acc-${w}-${seq++}`; const during = phase;
  try { await client.put(k, `v-${k}`, { consistency: 'quorum' }); acked.set(k, `v-${k}`); if (during === 'down') whileDown.add(k); } catch { failed++; } } };
const ws = Array.from({ length: 8 }, (_, w) => writer(w));
while (acked.size < 1000) await new Promise((r) => setTimeout(r, 50));
const t0 = performance.now(); process.kill(victimPid, 'SIGKILL'); phase = 'down';
const survivors = nodes.filter((_, i) => i !== 2); const seen = new Map();
while (seen.size < 4) { for (const h of survivors) if (!seen.has(h) && (await states(h)).get('node-3') === 'dead') seen.set(h, performance.now() - t0); await new Promise((r) => setTimeout(r, 50)); }
const at = whileDown.size; while (whileDown.size < at + 2000) await new Promise((r) => setTimeout(r, 50));
phase = 'stop'; await Promise.all(ws);
let missing = 0; for (const [k, v] of acked) { const e = await client.get(k); if (!e || Buffer.from(e.value).toString() !== v) missing++; }
console.log(JSON.stringify({ acked: acked.size, ackedWhileDown: whileDown.size, failed, missing, deadSeenMs: [...seen.values()].map(Math.round).sort((a,b)=>a-b) }));
// restart node-3 with its data directory
const child = spawn(process.execPath, ['bin/ringkv.js', 'start', '--name', 'node-3', '--bind', '127.0.0.1:7948', '--join', '127.0.0.1:7946', '--data-dir', '.ringkv/cluster/node-3', '--http-port', '8083', '--resp-port', '6383'], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
child.unref(); const t1 = performance.now();
while (true) { try { const ok = [...(await Promise.all(nodes.map(states)))].every((m) => m.get('node-3') === 'alive'); if (ok) break; } catch { /* a node may be restarting: poll again */ } await new Promise((r) => setTimeout(r, 100)); }
const aliveMs = performance.now() - t1;
const ring = Ring.build(['node-1','node-2','node-3','node-4','node-5']);
const owned = [...acked.keys()].filter((k) => ring.preferenceList(k, 3).includes('node-3'));
const lacking = new Set(owned);
while (lacking.size > 0) { for (const k of [...lacking]) { const r = await fetch(`http://127.0.0.1:8083/v1/local/kv/${k}`); await r.arrayBuffer(); if (r.status === 200) lacking.delete(k); } if (lacking.size) await new Promise((r) => setTimeout(r, 500)); }
console.log(JSON.stringify({ restartPid: child.pid, aliveEverywhereMs: Math.round(aliveMs), holdsAllOwned: owned.length, ownedWrittenWhileDown: owned.filter((k) => whileDown.has(k)).length, convergedMs: Math.round(performance.now() - t1) }));
await client.close();
