/**
 * `GET /admin/v1/openapi.json`: the OpenAPI 3.1 document of the admin API.
 */
import { z } from 'zod';
import { defineRoute } from '../routes/route-definition.js';
import type { AdminDeps } from './admin-routes.js';

/** The `openapi.json` route: needs `read` like every admin route. */
export function openApiRoute(deps: Pick<AdminDeps, 'openApi'>) {
  return defineRoute({
    method: 'GET',
    path: '/openapi.json',
    auth: 'read',
    operationId: 'openApi',
    summary: 'This document',
    tags: ['meta'],
    response: z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document.'),
    handler: () => deps.openApi(),
  });
}
