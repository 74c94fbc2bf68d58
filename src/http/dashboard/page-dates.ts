/** Dates on the account pages: UTC, readable, the same on every page. */

/** A Date as the pages show it: UTC to the second, or a dash. */
export const when = (d: Date | null | undefined): string =>
  d ? d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC' : '—'
