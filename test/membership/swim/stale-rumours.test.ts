/**
 * Stale rumour correction (ours, beyond memberlist): a peer that gossips `suspect`/`dead` about a
 * member at an incarnation below the alive we hold missed that member's refutation (SWIM §4.2
 * precedence makes our alive win). We answer it with the current alive, so its suspicion timer
 * cannot convict a live member. Found by the 1,000-node, 20 %-loss simulation (seed 2): one node
 * missed a refutation and declared a live node dead 12 s later.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addrOf, node, packet, refs, sentMsgs, startConverged, step } from './helpers.js';

describe('stale rumour correction', () => {
  it('a suspect below the incarnation we hold is answered with the current alive', () => {
    const a = node(0);
    startConverged(a, refs(4));
    step(a, packet(addrOf(1), [{ type: 'alive', node: { name: 'n2', addr: addrOf(2) }, incarnation: 3, meta: new Uint8Array(0) }]), 10);
    const out = step(a, packet(addrOf(3), [{ type: 'suspect', node: 'n2', incarnation: 1, from: 'n3' }]), 20);
    const alives = sentMsgs(out, 'alive').filter((s) => s.to === addrOf(3) && s.msg.node.name === 'n2');
    assert.equal(alives.length, 1, 'the rumour-monger gets the refutation');
    assert.equal(alives[0]!.msg.incarnation, 3);
    assert.equal(a.member('n2')?.state, 'alive', 'a stale rumour changes nothing here');
  });

  it('a stale accusation about ourselves is answered with our alive; a fresh one is refuted instead', () => {
    const b = node(1);
    startConverged(b, refs(4));
    step(b, packet(addrOf(2), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n2' }]), 10); // refute: inc 1
    assert.equal(b.incarnation(), 1);
    const out = step(b, packet(addrOf(3), [{ type: 'suspect', node: 'n1', incarnation: 0, from: 'n3' }]), 20);
    const toSender = sentMsgs(out, 'alive').filter((s) => s.to === addrOf(3));
    assert.equal(toSender.length, 1);
    assert.equal(toSender[0]!.msg.incarnation, 1);
    assert.equal(b.incarnation(), 1, 'no second refutation for an old rumour');
  });

  it('current rumours and leaves are not "corrected"', () => {
    const a = node(0);
    startConverged(a, refs(4));
    const out = step(a, packet(addrOf(3), [{ type: 'suspect', node: 'n2', incarnation: 0, from: 'n3' }, { type: 'dead', node: 'n1', incarnation: 0, from: 'n1' }]), 20);
    assert.equal(sentMsgs(out, 'alive').filter((s) => s.to === addrOf(3)).length, 0);
  });
});
