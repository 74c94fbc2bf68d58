/** The `:name` of a dashboard path as a domain name, checked as the API checks it (404 if not). */
import type { Context } from 'hono'
import { domainFromParam } from '../routes/domain-param.js'

export const domainParam = (c: Context): string => domainFromParam(c.req.param('name') ?? '')
