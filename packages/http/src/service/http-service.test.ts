/**
 * `ctx.getService('http')` is typed with no cast, and a route's handler input is typed from its schemas.
 */
import { definePlugin } from '@xcore/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Identity } from '../auth/access-guard.js';
import type { HttpService } from './http-service.js';

describe('HttpService types', () => {
  it('types getService("http") and the handler input of a route', () => {
    definePlugin({
      onStart(ctx) {
        const http = ctx.getService('http');
        expectTypeOf(http).toEqualTypeOf<HttpService>();
        const remove = http.route({
          method: 'POST',
          path: '/orders/:id',
          params: z.object({ id: z.coerce.number() }),
          body: z.object({ note: z.string() }),
          response: z.object({ ok: z.boolean() }),
          handler: ({ params, query, body, identity }) => {
            expectTypeOf(params.id).toEqualTypeOf<number>();
            expectTypeOf(body.note).toEqualTypeOf<string>();
            expectTypeOf(query).toEqualTypeOf<Readonly<Record<string, string | string[]>>>();
            expectTypeOf(identity).toEqualTypeOf<Identity>();
            return { ok: true };
          },
        });
        expectTypeOf(remove).toEqualTypeOf<() => void>();
        // @ts-expect-error the handler must return what `response` says
        http.route({ method: 'GET', path: '/x', response: z.object({ ok: z.boolean() }), handler: () => ({ ok: 'yes' }) });
      },
    });
  });
});
