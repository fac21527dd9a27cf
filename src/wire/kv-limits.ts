/**
 * Limits of the KV wire messages, units in the names. The KV layer (src/kv/record.ts) re-exports
 * the key and value limits, so the store never accepts a record the wire could not carry.
 */

/** Longest key, in UTF-8 bytes (Cassandra caps partition keys at 64 KiB; we keep keys short). */
export const kvKeyBytesMax = 1024;

/** Largest value, in bytes (Dynamo §2.1: objects are "usually less than 1 MB"). */
export const kvValueBytesMax = 1024 * 1024;

/** Most entries in one range-stream batch or fetch reply (senders also pack by bytes, see kvRecordEntryBytes). */
export const kvBatchEntriesMax = 4096;

/** Most keys one fetch request names. */
export const kvFetchKeysMax = 1024;

/** Deepest Merkle tree the wire accepts (2^16 leaves). */
export const kvMerkleDepthMax = 16;

/** Most Merkle node hashes in one request or reply (8 bytes each: 32 KiB of hashes). */
export const kvMerkleNodesPerMsgMax = 4096;

/** Largest HLC physical time, in milliseconds since the epoch: 48 bits (year 10889). */
export const hlcPhysicalMsMax = 2 ** 48 - 1;

/** Largest HLC logical counter: 16 bits; the clock borrows a millisecond rather than overflow. */
export const hlcLogicalMax = 0xffff;

/** Largest ring position: positions are integers in [0, 2^53) (src/lib/hash.ts). */
export const ringPositionMax = 2 ** 53 - 1;
