/** Chains extra-route handlers (HttpServerOptions.extraRoutes): the first one that answers wins. */
import type { ExtraRoutes } from '../http/router.js';

export function composeRoutes(...routes: readonly ExtraRoutes[]): ExtraRoutes {
  return (req, res, url) => {
    for (const r of routes) if (r(req, res, url)) return true;
    return false;
  };
}
