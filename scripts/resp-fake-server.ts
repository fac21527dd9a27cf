/**
 * The RESP server alone, backed by the in-memory FakeService (no replication, no disk), to measure
 * the protocol layer's ceiling with redis-benchmark (docs/resp.md, "Performance"):
 *
 *   node dist/scripts/resp-fake-server.js [port]     # prints "listening on 127.0.0.1:<port>"
 *   redis-benchmark -p <port> -t set,get -n 100000 -c 50 -q
 *
 * Runs until interrupted.
 */
import { startRespServer } from '../src/api/resp/index.js';
import { FakeService } from '../test/helpers/fake-service.js';

const server = await startRespServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), service: new FakeService() });
console.log(`listening on ${server.address.host}:${server.address.port}`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
