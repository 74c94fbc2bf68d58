/**
 * The domain checker's and the metrics' variables (issue 13), part of config.ts's one
 * environment schema.
 */
import { z } from 'zod'
import { bool, numberIn, port, readableFile, whole } from './config-fields.js'

export const CHECKS_ENV = {
  /**
   * `on`: every live domain is checked on a schedule and soon after a change; `off`: only on
   * demand (API, CLI) — for an instance that should not make those lookups and connections.
   */
  CHECKS: z.enum(['on', 'off']).default('on'),
  /** Hours between two scheduled checks of one domain (records, MX coverage, STARTTLS). */
  CHECK_INTERVAL_HOURS: whole(1, 720).default(6),
  /**
   * `on`: each MX host gets a STARTTLS probe on port 25 in a check; `off` for networks that
   * block outgoing port 25 (many clouds do), where every probe would look like a failure.
   */
  MX_PROBE: z.enum(['on', 'off']).default('on'),
  /**
   * `on`: a check fetches each policy from outside as senders do (HTTPS to `mta-sts.<domain>`)
   * and compares it with what is served; `off` where this service cannot reach itself by its
   * public names.
   */
  POLICY_FETCH: z.enum(['on', 'off']).default('on'),
  /** Port the probe connects to (25; tests and lab set-ups point it elsewhere). */
  MX_PROBE_PORT: port.default(25),
  /** PEM roots the probe trusts instead of the system's (a lab CA such as pebble's). */
  MX_PROBE_CA_FILE: z.string().min(1).refine(readableFile, 'must be a readable file').optional(),
  /**
   * Seconds the probe waits for the greeting and for each later reply or the TLS handshake
   * (connect: at most 10; the whole probe: twice this). RFC 5321 §4.5.3.2 lets a sender wait
   * 5 minutes for a greeting; a host this slow is worth reporting.
   */
  MX_PROBE_TIMEOUT_SECONDS: whole(1, 300).default(30),
  /** PEM roots the outside policy fetch trusts instead of the system's (a lab CA). */
  POLICY_FETCH_CA_FILE: z
    .string()
    .min(1)
    .refine(readableFile, 'must be a readable file')
    .optional(),
  /** Probes in flight at once across all domains (each MX of a domain is one). */
  MX_PROBE_CONCURRENCY: whole(1, 256).default(8),
  /**
   * Webhooks may use `http:` and reach loopback, private and link-local addresses: labs and
   * tests only. Off, a tenant's webhook cannot be aimed at the operator's own network (SSRF).
   */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Seconds one webhook delivery may take (connect to the end of the answer). */
  WEBHOOK_TIMEOUT_SECONDS: whole(1, 60).default(10),
  /**
   * A check finds TLS-RPT failures (and alerts) when senders reported more than this share of
   * failed sessions, in percent, over the last three days (at least 10 failed sessions).
   */
  TLSRPT_ALERT_FAILURE_PERCENT: numberIn(0, 100, { int: false }).default(5),
  /**
   * The relay alert mail goes through: `smtp://[user:pass@]host[:port]` (STARTTLS when the relay
   * offers it) or `smtps://…` (TLS from the start); unset: no mail alerts, contacts cannot be
   * added. nodemailer's URL options apply (e.g. `?requireTLS=true`).
   */
  SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\//i.test(u), 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** From: of alert mail; default `policyhost <alerts@SERVICE_HOST>`. */
  ALERT_MAIL_FROM: z.string().min(3).max(320).optional(),
  /**
   * Port of the Prometheus `/metrics` listener; unset: none. Bound to METRICS_BIND_ADDRESS,
   * loopback by default, so only the machine (or a scraper beside it) can read it.
   */
  METRICS_PORT: port.optional(),
  METRICS_BIND_ADDRESS: z.string().min(1).default('127.0.0.1'),
  /** Series per domain and hostname: exact, but one each per hosted name; for small fleets. */
  METRICS_PER_DOMAIN: bool.default(false),
}
