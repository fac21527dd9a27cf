/**
 * Builds simulated NodeCores (SWIM + ring + KV) for the engine: one MemoryStorage per node name,
 * kept in `storages` so a restart with `keepDisk` finds the node's data again and a restart
 * without it starts from an empty disk.
 */
import type { KvConfig } from '../kv/config.js';
import { MemoryStorage } from '../kv/memory-storage.js';
import type { SwimConfig } from '../membership/swim/index.js';
import { NodeCore } from '../node/node-core.js';
import type { NodeName } from '../wire/types.js';
import type { ActorFactory } from './actor.js';

export interface NodeCoreFactoryOptions {
  /** Each node's disk, by name; the factory fills it. */
  readonly storages: Map<NodeName, MemoryStorage>;
  readonly membership?: Partial<SwimConfig>;
  readonly kv?: Partial<KvConfig>;
}

/** An actor factory for NodeCores over memory storage that survives restarts with keepDisk. */
export function nodeCoreFactory(options: NodeCoreFactoryOptions): ActorFactory<NodeCore> {
  return (ctx) => {
    const kept = ctx.keepDisk ? options.storages.get(ctx.name) : undefined;
    const storage = kept ?? new MemoryStorage();
    options.storages.set(ctx.name, storage);
    return new NodeCore({
      self: { name: ctx.name, addr: ctx.addr },
      rng: ctx.rng,
      registry: ctx.registry,
      storage,
      initialIncarnation: ctx.incarnation,
      ...(options.membership === undefined ? {} : { membership: options.membership }),
      ...(options.kv === undefined ? {} : { kv: options.kv }),
    });
  };
}
