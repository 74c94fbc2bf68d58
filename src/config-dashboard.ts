/** The dashboard's variables (issue 14), part of config.ts's one environment schema. */
import { whole } from './config-fields.js'

export const DASHBOARD_ENV = {
  /**
   * Minutes a dashboard session may sit unused before it ends (a browser left open on a shared
   * machine). At most a day: past that, "idle" no longer means anything.
   */
  SESSION_IDLE_MINUTES: whole(1, 1440).default(30),
  /**
   * Hours a dashboard session lives at most, however busy: a stolen cookie stops working then.
   * At most 30 days: a sign-in is not meant to replace an API token for long-lived access.
   */
  SESSION_MAX_HOURS: whole(1, 720).default(12),
}
