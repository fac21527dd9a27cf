/**
 * Encryption between real processes: nodes with the same key form a cluster over sealed UDP
 * and TCP; a node with another key never joins them (its packets fail to open and are counted).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { LocalCluster, memberStates, waitFor } from '../helpers/local-cluster.js';

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('base64');

async function openFailures(http: string): Promise<number> {
  const text = await (await fetch(`http://${http}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  let sum = 0;
  for (const m of text.matchAll(/^ringkv_transport_(?:udp|tcp)_open_failures_total (\d+)$/gm)) sum += Number(m[1]);
  return sum;
}

describe('encryption keys', { timeout: 90_000 }, () => {
  const cluster = new LocalCluster('crypto');
  after(() => cluster.destroy());

  it('same key: a cluster forms; another key: never joins, drops counted', async () => {
    const a = await cluster.add('a', { join: null, args: ['--encrypt-key', key1] });
    const b = await cluster.add('b', { join: a.info.gossip, args: ['--encrypt-key', key1] });
    await waitFor('a and b to see each other alive', async () => {
      for (const n of [a, b]) if ([...(await memberStates(n.info.http!)).values()].filter((s) => s === 'alive').length !== 2) return false;
      return true;
    });
    const put = await fetch(`http://${a.info.http}/v1/kv/sealed`, { method: 'PUT', body: 'secret' });
    assert.equal(put.status, 200, await put.text());

    const stranger = await cluster.add('stranger', { join: a.info.gossip, args: ['--encrypt-key', key2] });
    // The stranger's join attempts reach a and fail to open there; a never learns of it.
    await waitFor('a to count two join attempts it cannot open', async () => (await openFailures(a.info.http!)) >= 2);
    const seenByStranger = await memberStates(stranger.info.http!);
    assert.deepEqual([...seenByStranger.keys()], ['stranger']);
    for (const n of [a, b]) assert.equal((await memberStates(n.info.http!)).has('stranger'), false);
  });
});
