/** Read-only routes: /health, /metrics, /v1/members, /v1/ring, /v1/info. */
import type { ServerResponse } from 'node:http';
import type { NodeService } from '../../runtime/service.js';
import type { HealthView, MembersBody, NodeInfo, RingView } from '../../client/http-protocol.js';
import { sendBytes, sendJson } from './respond.js';
import { flagParam } from './target.js';
import type { Target } from './target.js';

export type ViewHandler = (res: ServerResponse, target: Target, service: NodeService) => Promise<void> | void;

/** GET (and HEAD) routes by exact path. The bodies are typed with the client's views, so both stay in step. */
export const viewRoutes: ReadonlyMap<string, ViewHandler> = new Map<string, ViewHandler>([
  [
    '/health',
    (res, _target, service) => {
      const body: HealthView = service.health();
      sendJson(res, body.status === 'ok' ? 200 : 503, body);
    },
  ],
  [
    '/metrics',
    async (res, _target, service) => {
      const text = await service.metricsText();
      sendBytes(res, 200, service.metricsContentType, Buffer.from(text, 'utf8'));
    },
  ],
  [
    '/v1/members',
    (res, _target, service) => {
      const body: MembersBody = { members: service.members() };
      sendJson(res, 200, body);
    },
  ],
  [
    '/v1/ring',
    (res, target, service) => {
      const ring = service.ring();
      const body: RingView = flagParam(target.query, 'ranges', true)
        ? ring
        : { tokensPerNode: ring.tokensPerNode, replicationFactor: ring.replicationFactor, nodes: ring.nodes };
      sendJson(res, 200, body);
    },
  ],
  [
    '/v1/info',
    (res, _target, service) => {
      const body: NodeInfo = service.info();
      sendJson(res, 200, body);
    },
  ],
]);

export const viewMethods: readonly string[] = ['GET', 'HEAD'];
