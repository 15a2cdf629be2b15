/**
 * `GET /admin/v1/whoami`: who the server takes the caller for, with which scopes.
 */
import { z } from 'zod';
import { SCOPES } from '../auth/scopes.js';
import { defineRoute } from '../routes/route-definition.js';

/** Response of `whoami`. */
export const whoamiResponseSchema = z.object({
  kind: z.enum(['token', 'jwt', 'none', 'anonymous']).describe('How the caller was identified (`none`: auth is off).'),
  subject: z.string().describe('Token id or JWT subject.'),
  scopes: z.array(z.enum(SCOPES)).describe('Every scope held, implied ones included.'),
  expiresAt: z.string().optional().describe('When the JWT expires (ISO 8601).'),
  client: z.string().describe('The client address the server sees (after trustProxy).'),
});

/** The `whoami` route: needs `read`, answers the caller's identity. */
export function whoamiRoute() {
  return defineRoute({
    method: 'GET',
    path: '/whoami',
    auth: 'read',
    operationId: 'whoami',
    summary: 'The caller\'s identity and scopes',
    tags: ['auth'],
    response: whoamiResponseSchema,
    handler: ({ identity, client }) => ({
      kind: identity.kind,
      subject: identity.subject,
      scopes: [...identity.scopes],
      ...(identity.expiresAt === undefined ? {} : { expiresAt: identity.expiresAt }),
      client,
    }),
  });
}
