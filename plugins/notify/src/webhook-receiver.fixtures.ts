/**
 * A local webhook receiver for tests: an HTTP server on a free port that records each request,
 * checks its signature the way the README tells receivers to, and answers as a test scripts it.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from './signature.js';

/** One request as received. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The raw body. */
  readonly body: string;
  /** The parsed body. */
  readonly json: Record<string, unknown> & { id: string; event: string; jobId: string; counts: { sinceLastMessage: number; consecutive: number } };
  /** The signature checked with the receiver's secret and a 300 s tolerance. */
  readonly signatureValid: boolean;
  /** When it arrived (`Date.now()`). */
  readonly at: number;
}

/** How to answer request number `n` (from 1). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang';

/** A running receiver. */
export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedWebhook[];
  /** Resolves once `count` requests arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and a free port; `reply` scripts the answers (default 200). */
export async function startWebhookReceiver(secret: string, reply: (n: number, received: ReceivedWebhook) => Reply = () => ({ status: 200 })): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedWebhook = {
        headers: req.headers,
        body,
        json: JSON.parse(body) as ReceivedWebhook['json'],
        signatureValid: verifyWebhookSignature({ secret, body, signature: req.headers['x-xcore-signature'] as string | undefined, timestamp: req.headers['x-xcore-timestamp'] as string | undefined }),
        at: Date.now(),
      };
      requests.push(received);
      for (const wake of waiters.splice(0)) wake();
      const answer = reply(requests.length, received);
      if (answer === 'hang') return;
      const send = (): void => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
      };
      if (answer.delayMs === undefined) send();
      else setTimeout(send, answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/xcore`,
    requests,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`webhook receiver: ${requests.length} of ${count} requests within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
