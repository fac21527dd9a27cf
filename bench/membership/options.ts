/** Parsing of the membership benchmark's --set overrides; no runtime import, so the smoke test can load it. */
import type { SwimConfig } from '../../src/membership/swim/index.js';

/** "membership.suspicionMult=2" → { suspicionMult: 2 } (numbers and booleans; validated by the runtime config). */
export function parseMembershipSets(sets: readonly string[]): Partial<SwimConfig> {
  const out: Record<string, number | boolean> = {};
  for (const s of sets) {
    const match = /^(?:membership\.)?([A-Za-z]+)=(.+)$/.exec(s);
    if (match === null) throw new Error(`--set ${s}: expected membership.<field>=<value>`);
    const value = match[2]!;
    out[match[1]!] = value === 'true' ? true : value === 'false' ? false : Number(value);
  }
  return out as Partial<SwimConfig>;
}
