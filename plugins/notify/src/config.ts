/**
 * The zod schema of `plugins.config.notify`: channels (webhook, e-mail) and the rules that route
 * job outcomes to them.
 *
 * @remarks
 * Strict at every level (an unknown key is an error with a "did you mean"), validated by the
 * kernel with each problem positioned at its line in `xcore.yaml`. Cross-field problems (a rule
 * naming an unknown channel, an unknown placeholder in a subject) are reported at the value that
 * is wrong. Secrets come from the environment through `${VAR}` interpolation.
 */
import { duration } from '@xcore/core';
import { z } from 'zod';
import { TEMPLATE_FIELDS, templateProblem } from './template.js';

/** Outcomes a rule can notify about. */
export const NOTIFY_OUTCOMES = ['failed', 'timed_out', 'aborted', 'missed', 'skipped'] as const;

/** An outcome a rule can notify about. */
export type NotifyOutcome = (typeof NOTIFY_OUTCOMES)[number];

/** Shortest webhook secret accepted: 128 bits of a random hex or base64 string. */
const MIN_SECRET_CHARS = 16;
const CHANNEL_NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;
/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the webhook channel sets itself; configuring them would break the signature or the body. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'x-xcore-signature', 'x-xcore-timestamp', 'x-xcore-message-id', 'x-xcore-event']);
/** `addr@host` or `Name <addr@host>`. */
const ADDRESS = /^(?:[^<>@\s][^<>@]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

const expected = (what: string) => ({ expected: what });
const address = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (!ADDRESS.test(value)) ctx.addIssue({ code: 'custom', message: 'not an e-mail address', params: expected('an e-mail address like ops@example.com or "Ops <ops@example.com>"'), input: value });
  });

/** Delivery retries, shared by both channel types. */
const retryShape = {
  /** Attempt timeout (the request, or the whole SMTP conversation). @defaultValue `'10s'` */
  timeout: duration().pipe(z.number().min(1)).default(10_000).describe('Timeout of one delivery attempt. Default 10s.'),
  /** Retries after a failed attempt that may succeed later (network error, timeout, HTTP 5xx/429, SMTP 4xx). @defaultValue `3` */
  retries: z.number().int().min(0).max(20).default(3).describe('Retries after a transient failure (network, timeout, HTTP 5xx/429, SMTP 4xx). Default 3.'),
  /** Base of the exponential backoff between attempts (doubled each retry, with jitter). @defaultValue `'1s'` */
  backoff: duration().default(1_000).describe('Base delay of the exponential backoff between attempts (with jitter). Default 1s.'),
  /** Longest wait between attempts; a Retry-After asking for more gives the message up. @defaultValue `'1m'` */
  maxBackoff: duration().default(60_000).describe('Longest wait between attempts; a Retry-After asking for longer gives the message up. Default 1m.'),
};

/** A webhook channel: a signed JSON POST per message. */
export const webhookChannelSchema = z.strictObject({
  type: z.literal('webhook'),
  /** `http(s)://` URL the JSON is POSTed to. */
  url: z
    .string()
    .superRefine((value, ctx) => {
      const url = URL.canParse(value) ? new URL(value) : undefined;
      if (url === undefined || !['http:', 'https:'].includes(url.protocol)) {
        ctx.addIssue({ code: 'custom', message: 'not an http(s) URL', params: expected('an http:// or https:// URL'), input: value });
      } else if (url.username !== '' || url.password !== '') {
        // fetch refuses such URLs; and the value is a secret, so it is not quoted.
        ctx.addIssue({ code: 'custom', message: 'expected a URL without user:password@ (send credentials in headers, e.g. Authorization)' });
      }
    })
    .describe('URL the JSON body is POSTed to (http or https).'),
  /** HMAC-SHA256 key of the `X-Xcore-Signature` header; give it as `${NOTIFY_WEBHOOK_SECRET}`. At least 16 characters. */
  secret: z
    .string()
    .superRefine((value, ctx) => {
      // The message never quotes the value: it is a secret.
      if (value.length < MIN_SECRET_CHARS) {
        ctx.addIssue({ code: 'custom', message: `expected a secret of at least ${MIN_SECRET_CHARS} characters, found ${value.length}; give it from the environment, as \${NOTIFY_WEBHOOK_SECRET}` });
      }
    })
    .describe('HMAC-SHA256 key for X-Xcore-Signature; use ${ENV}. At least 16 characters.'),
  /** Extra request headers (e.g. `Authorization`); the signature, timestamp and content headers are set by xcore. @defaultValue `{}` */
  headers: z
    .record(z.string(), z.string())
    .default({})
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a header name`, params: expected('a header name (letters, digits, "-")'), input: name });
        else if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is set by xcore`, params: expected('a header xcore does not set itself'), input: name });
        else if (/[\r\n\0]/.test(headers[name]!)) ctx.addIssue({ code: 'custom', path: [name], message: `expected a header value on one line (no line break or NUL) in "${name}"` });
      }
    })
    .describe('Extra request headers; X-Xcore-*, Content-Type and Host are set by xcore.'),
  ...retryShape,
});

/** An e-mail channel: one message per notification, over SMTP with nodemailer. */
export const emailChannelSchema = z.strictObject({
  type: z.literal('email'),
  smtp: z
    .strictObject({
      /** SMTP server host name. */
      host: z.string().min(1).describe('SMTP server host.'),
      /** SMTP port. @defaultValue `465` with `secure`, else `587` */
      port: z.number().int().min(1).max(65_535).optional().describe('SMTP port. Default 465 with secure, else 587.'),
      /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. @defaultValue `false` */
      secure: z.boolean().default(false).describe('TLS from the start (port 465); otherwise STARTTLS when offered. Default false.'),
      /** Refuse to send unless the connection is upgraded with STARTTLS. @defaultValue `false` */
      requireTLS: z.boolean().default(false).describe('Fail unless STARTTLS succeeds. Default false.'),
      /** Login; give the password as `${SMTP_PASSWORD}`. @defaultValue none (no AUTH) */
      auth: z.strictObject({ user: z.string().min(1), pass: z.string().min(1) }).optional().describe('SMTP login; use ${ENV} for the password.'),
    })
    .describe('SMTP server.'),
  /** Sender address. */
  from: address.describe('Sender address.'),
  /** Recipients (at least one). */
  to: z.array(address).min(1, { error: 'expected at least one recipient' }).describe('Recipient addresses.'),
  /** Subject; placeholders `{app}`, `{host}`, `{jobId}`, `{owner}`, `{outcome}`, `{status}`, `{event}`. @defaultValue `'[{app}] {jobId} {status}'` */
  subject: z
    .string()
    .min(1)
    .max(300)
    .default('[{app}] {jobId} {status}')
    .superRefine((subject, ctx) => {
      const problem = templateProblem(subject);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, params: expected(`placeholders among ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}`) });
    })
    .describe(`Subject template; placeholders ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}. Default '[{app}] {jobId} {status}'.`),
  ...retryShape,
});

/** One channel, by `type`. */
export const channelSchema = z.discriminatedUnion('type', [webhookChannelSchema, emailChannelSchema]);

/** A rule: which jobs' outcomes go to which channels, and how often. */
export const ruleSchema = z.strictObject({
  /** Name shown in messages and logs. @defaultValue `rule-<index>` (from 1) */
  name: z.string().min(1).max(100).optional().describe('Name shown in messages. Default rule-<n>.'),
  /** Job id globs (`*` any characters, `?` one); `orders:*` is every job of plugin `orders`. @defaultValue `['*']` */
  jobs: z.array(z.string().min(1)).min(1).default(['*']).describe('Job id globs (* any characters, ? one). Default ["*"].'),
  /** Job owners (plugin names, `config` for YAML jobs, `app`); a job must match `jobs` and, when set, `owners`. @defaultValue any owner */
  owners: z.array(z.string().min(1)).min(1).optional().describe('Job owners: plugin names, config (YAML jobs), app. Default: any.'),
  /** Outcomes that count as failures. @defaultValue `['failed', 'timed_out']` */
  outcomes: z.array(z.enum(NOTIFY_OUTCOMES)).min(1).default(['failed', 'timed_out']).describe('Outcomes that count as failures. Default [failed, timed_out].'),
  /** Channels to send to, by name. @defaultValue every channel */
  channels: z.array(z.string().min(1)).min(1).optional().describe('Channel names. Default: every channel.'),
  /** At most one failure message per job per window; later failures in it are counted into the next message. `0` sends every failure. @defaultValue `'1h'` */
  window: duration().default(3_600_000).describe('At most one failure message per job per window; later failures are counted into the next message. Default 1h.'),
  /** Send a message when a failing job succeeds again. @defaultValue `true` */
  recovery: z.boolean().default(true).describe('Send a message when a failing job succeeds again. Default true.'),
});

const notifyShape = z.strictObject({
    /** Named channels. At least one. */
    channels: z
      .record(
        z.string().superRefine((name, ctx) => {
          if (!CHANNEL_NAME.test(name)) ctx.addIssue({ code: 'custom', message: 'bad channel name', params: expected('a channel name: letters, digits, "_", "-", "." (at most 64)'), input: name });
        }),
        channelSchema,
      )
      .default({})
      .refine((channels) => Object.keys(channels).length > 0, { error: 'notify needs at least one channel: add channels: { <name>: { type: webhook, url, secret } } or an email channel' })
      .describe('Named channels: { type: webhook, ... } or { type: email, ... }.'),
    /** Rules, each applied on its own. @defaultValue one rule with every default: all jobs, failed and timed out, every channel */
    rules: z.array(ruleSchema).prefault([{}]).describe('Routing rules. Default: one rule with all defaults.'),
    /** Messages waiting per channel; past it new messages are dropped and counted. @defaultValue `1000` */
    queueSize: z.number().int().min(1).max(1_000_000).default(1_000).describe('Messages waiting per channel; more are dropped and counted. Default 1000.'),
    /** Deliveries in progress per channel; `1` keeps each channel's messages in order. @defaultValue `1` */
    concurrency: z.number().int().min(1).max(64).default(1).describe('Deliveries in progress per channel (1 keeps them in order). Default 1.'),
});

/** Config of `plugins.config.notify`. */
export const notifyConfigSchema = notifyShape
  .superRefine((config, ctx) => {
    const names = Object.keys(config.channels);
    config.rules.forEach((rule, i) => {
      rule.channels?.forEach((channel, j) => {
        if (names.includes(channel)) return;
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'channels', j], message: `unknown channel "${channel}"`, params: expected(`one of the channels: ${names.join(', ')}`), input: channel });
      });
    });
  })
  // An absent section is read as {} so the error is the missing `channels`, not a missing object.
  .prefault({} as z.input<typeof notifyShape>);

/** Input of `plugins.config.notify` as written in `xcore.yaml`. */
export type NotifyConfigInput = z.input<typeof notifyConfigSchema>;
/** Validated `plugins.config.notify`. */
export type NotifyConfig = z.output<typeof notifyConfigSchema>;
/** A validated channel. */
export type ChannelConfig = z.output<typeof channelSchema>;
/** A validated webhook channel. */
export type WebhookChannelConfig = z.output<typeof webhookChannelSchema>;
/** A validated e-mail channel. */
export type EmailChannelConfig = z.output<typeof emailChannelSchema>;
/** A validated rule. */
export type RuleConfig = z.output<typeof ruleSchema>;
