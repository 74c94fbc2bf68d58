/** CLI commands for TLS reporting, BIMI logos and certificates (alerts: commands-alerts.ts). */
import { JSON_OPTION } from './commands-admin.js'
import type { Command } from './command.js'

export const MORE_COMMANDS: Command[] = [
  {
    name: 'tls-rpt show',
    summary: 'the TLS-RPT settings and the hosted report URL',
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help:
      'The reporting URIs published in the _smtp._tls TXT record (RFC 8460 §3) and the hosted ' +
      'report URL that receives reports for DOMAIN.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./tls-rpt.js')).tlsRptShow(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'tls-rpt rotate',
    summary: 'a new report URL; the old one keeps working for 7 days',
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help:
      'Replaces the hosted report URL (when the old one leaked or is flooded). The old URL ' +
      'keeps accepting reports for 7 days; publish the new _smtp._tls record before then.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./tls-rpt.js')).tlsRptRotate(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'tls-rpt health',
    summary: 'per day: sessions, failures by type, reporters, policies applied',
    usage: 'DOMAIN [--days N] [--json]',
    args: 'DOMAIN',
    help:
      'The TLS reports of the last N days (default 30, at most 366) added up per UTC day: ' +
      'successful and failed sessions, failures by result type, and the reporters. --json ' +
      'gives everything the API does, top failing MX hosts and sending IPs included.',
    options: {
      days: { type: 'string', value: 'N', help: 'days in the window, today included' },
      ...JSON_OPTION,
    },
    needs: 'runtime',
    run: async (c) => (await import('./tls-rpt.js')).tlsRptHealth(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'tls-rpt reports',
    summary: 'the TLS reports received, newest first',
    usage: 'DOMAIN [--from DAY] [--to DAY] [--json]',
    args: 'DOMAIN',
    help:
      'Every report whose period starts between --from and --to (YYYY-MM-DD, UTC; default the ' +
      'last 30 days), newest first: reporter, report id, period and session counts.',
    options: {
      from: { type: 'string', value: 'DAY', help: 'first day (YYYY-MM-DD)' },
      to: { type: 'string', value: 'DAY', help: 'last day (YYYY-MM-DD, default today)' },
      ...JSON_OPTION,
    },
    needs: 'runtime',
    run: async (c) => (await import('./tls-rpt.js')).tlsRptReports(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'tls-rpt import',
    summary: 'store TLS reports received by mail (.json, .json.gz, .eml)',
    usage: 'FILE...',
    args: 'FILE...',
    help:
      'Stores reports that arrived by mail through the same checks as the HTTPS endpoint: one ' +
      'line per stored or duplicate report on stdout, one per refused file or report on ' +
      'stderr; the others still import. `tlsrpt import` is the same command.',
    needs: 'runtime',
    // Refusals are this command's own output; the intake's warn log would say each twice.
    quiet: true,
    run: async (c) => (await import('./tls-rpt-import.js')).importFiles(c.rt, c.args),
  },
  {
    name: 'logo list',
    summary: 'BIMI selectors with their logo and certificate URLs',
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help:
      'Every BIMI selector of DOMAIN: the logo hash and URL, the mark certificate URL (only when ' +
      'it embeds this logo) and its expiry.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./logos.js')).logoList(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'logo upload',
    summary: 'store a BIMI logo (SVG Tiny PS) for a selector',
    usage: 'DOMAIN FILE [--selector S] [--json]',
    args: 'DOMAIN FILE',
    help:
      'Stores FILE as the BIMI logo of a selector (default "default") when it is valid SVG Tiny ' +
      'PS of at most 32 KiB; otherwise every reason is listed. `logo convert` makes one.',
    options: {
      selector: { type: 'string', value: 'S', help: 'the BIMI selector (default default)' },
      ...JSON_OPTION,
    },
    needs: 'runtime',
    run: async (c) => (await import('./logos.js')).logoUpload(c.rt, c.args[0]!, c.args[1]!, c.opts),
  },
  {
    name: 'logo convert',
    summary: 'turn an SVG into SVG Tiny PS; changes and problems on stderr',
    usage: 'FILE [--title T] [--out F]',
    args: 'FILE',
    help:
      'Converts an ordinary SVG into SVG Tiny PS, as BIMI requires, without a database: the ' +
      'result goes to stdout (or --out), each change and remaining problem to stderr. Exit 1 ' +
      'while the result is still invalid. BIMI needs a <title>: pass --title when the SVG has none.',
    options: {
      title: { type: 'string', value: 'T', help: 'the <title> (your brand name)' },
      out: { type: 'string', value: 'F', help: 'write the result to F instead of stdout' },
    },
    needs: 'nothing',
    run: async (c) =>
      (await import('./logo-convert.js')).convertFile(
        c.args[0]!,
        typeof c.opts.title === 'string' ? c.opts.title : undefined,
        typeof c.opts.out === 'string' ? c.opts.out : undefined,
      ),
  },
  {
    name: 'renew',
    summary: 'obtain or renew the certificates that are due (or HOST)',
    usage: '[HOST] [--force]',
    args: '[HOST]',
    help:
      'Runs certificate issuance now, as the scheduler would: every hostname that is due, or ' +
      'HOST alone. A skipped hostname is listed with why (not due until, backing off after an ' +
      'error). --force ignores renewal windows and backoff. Exit 1 when an attempt failed.',
    options: { force: { type: 'boolean', help: 'issue even when not due' } },
    needs: 'runtime',
    run: async (c) => (await import('./renew.js')).renew(c.rt, c.args[0], c.opts.force === true),
  },
]
