/**
 * One writer of `npm run bench -- disk` (a worker thread, so several write at once): appends
 * `appends` records of `bytes` with `writeSync` on an `O_DSYNC` descriptor, as the write-ahead
 * log does, to a file that grows or to one filled with zeros (and fsynced) beforehand, and sends
 * back each append's time in ms.
 */
import { closeSync, constants, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { AppendJob } from './types.js';

const zeroChunkBytes = 1024 * 1024;

function prefill(path: string, bytes: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    const zeros = new Uint8Array(zeroChunkBytes);
    for (let at = 0; at < bytes; at += zeroChunkBytes) writeSync(fd, zeros, 0, Math.min(zeroChunkBytes, bytes - at), at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const job = workerData as AppendJob;
rmSync(job.path, { force: true });
if (job.zeroFilled) prefill(job.path, job.appends * job.bytes + zeroChunkBytes);
const fd = openSync(job.path, constants.O_WRONLY | constants.O_CREAT | (constants.O_DSYNC ?? 0), 0o644);
const record = new Uint8Array(job.bytes).fill(7);
const times = new Float64Array(job.appends);
try {
  for (let i = 0; i < job.appends; i++) {
    const start = performance.now();
    writeSync(fd, record, 0, record.length, i * job.bytes);
    times[i] = performance.now() - start;
  }
} finally {
  closeSync(fd);
  rmSync(job.path, { force: true });
}
parentPort!.postMessage(times, [times.buffer]);
