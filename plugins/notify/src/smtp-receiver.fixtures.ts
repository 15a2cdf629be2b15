/**
 * A local SMTP server for tests (the `smtp-server` package) on a free port: it requires a login,
 * parses each received message with `mailparser`, and answers DATA as a test scripts it.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as received. */
export interface ReceivedMail {
  readonly from: string;
  /** Envelope recipients. */
  readonly rcptTo: string[];
  readonly subject: string;
  /** The `To` header as text. */
  readonly to: string;
  readonly text: string;
  readonly html: string;
  readonly headers: ReadonlyMap<string, unknown>;
  /** Login used. */
  readonly user: string | undefined;
}

/** How to answer DATA of message `n` (from 1): accept, or an SMTP reply code and text. */
export type MailReply = 'accept' | { code: number; message: string };

/** A running SMTP server. */
export interface SmtpReceiver {
  readonly port: number;
  readonly messages: ReceivedMail[];
  /** DATA commands answered, accepted or not. */
  readonly attempts: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** Starts the server; only `user`/`pass` may log in. */
export async function startSmtpReceiver(login: { user: string; pass: string }, reply: (n: number) => MailReply = () => 'accept'): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === login.user && auth.password === login.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      attempts += 1;
      const answer = reply(attempts);
      simpleParser(stream).then(
        (mail) => {
          if (answer !== 'accept') {
            callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
            return;
          }
          messages.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            to: Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? ''),
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            headers: mail.headers,
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        },
        (error: unknown) => callback(error as Error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages,
    get attempts() {
      return attempts;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`smtp receiver: ${messages.length} of ${count} messages within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages.slice(0, count);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
