/**
 * Wire limits. Every decode is bounded by these; the encoder refuses to produce anything larger.
 * Units are in the names.
 */

/** Largest UDP payload we ever send: below the common 1,500-byte Ethernet MTU with IP/UDP headers and encryption overhead. */
export const udpPacketBytesMax = 1400;

/** Largest stream (TCP) frame: bounds push-pull state (10,000 members need about 300 KiB). */
export const streamFrameBytesMax = 8 * 1024 * 1024;

/** Longest node name, in UTF-8 bytes. */
export const nodeNameBytesMax = 128;

/** Longest address string, in bytes (an IPv6 literal with port fits in 47). */
export const addressBytesMax = 64;

/** Largest member metadata, in bytes (memberlist's MetaMaxSize). */
export const metaBytesMax = 512;

/** Longest cluster label, in bytes (memberlist's label limit). */
export const clusterLabelBytesMax = 255;

/** Most messages in one packet or frame. */
export const messagesPerPacketMax = 255;

/** Most entries in one push-pull message. */
export const pushPullEntriesMax = 100_000;

/** Most entries in one heartbeat or join-reply message. */
export const heartbeatEntriesMax = 1024;
