import { createRoute, z } from '@hono/zod-openapi'
import type { ServiceDeps } from '../../services/deps.js'
import {
  VerificationInput,
  verifyDomain,
  type VerificationOutcome,
} from '../../services/domains/domain-verification.js'
import {
  addDomain,
  DOMAIN_PAGE_DEFAULT,
  DOMAIN_PAGE_MAX,
  DomainInput,
  getDomain,
  listDomains,
} from '../../services/domains/domains.js'
import { restoreDomain, type RestoreResult } from '../../services/domains/restore-domain.js'
import { retireDomain, type RetireResult } from '../../services/domains/retire-domain.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { DomainOut, domainView, PolicyOut, policyView, RetireOut } from '../views.js'
import { limitParam } from '../../core/cursor.js'
import { queryIs400 } from '../query.js'
import { DomainCursor, encodeDomainCursor } from './domain-cursor.js'
import { DomainParam, domainFromParam } from './domain-param.js'

const create = createRoute({
  method: 'post',
  path: '/domains',
  summary: "Register a domain for the caller's tenant (the operator passes tenantId)",
  request: jsonBody(DomainInput),
  responses: {
    201: json(DomainOut, 'The domain; publish its records next'),
    ...problems(400, 401, 403, 409, 413, 415, 422),
  },
})

const list = createRoute({
  method: 'get',
  path: '/domains',
  summary: "The caller's domains (all, claims included, for the operator), a page at a time",
  request: {
    query: z.object({
      limit: limitParam(DOMAIN_PAGE_MAX, DOMAIN_PAGE_DEFAULT),
      cursor: DomainCursor.optional(),
    }),
  },
  responses: {
    200: json(
      z.object({
        domains: z.array(DomainOut),
        nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page'),
      }),
      'Domains in name order',
    ),
    ...problems(400, 401),
  },
})

const verify = createRoute({
  method: 'post',
  path: '/domains/{name}/verification',
  summary:
    'Check the _policyhost TXT record now; the operator may pass {"trust": true} to skip DNS',
  request: {
    params: DomainParam,
    body: {
      content: { 'application/json': { schema: VerificationInput } },
      required: false,
    },
  },
  responses: {
    200: json(
      z.object({ verified: z.boolean(), message: z.string(), domain: DomainOut }),
      'The outcome of the check (verified or why not)',
    ),
    ...problems(401, 403, 404, 409, 415, 422),
  },
})

const get = createRoute({
  method: 'get',
  path: '/domains/{name}',
  summary: 'One domain',
  request: { params: DomainParam },
  responses: { 200: json(DomainOut, 'The domain'), ...problems(401, 404) },
})

const retire = createRoute({
  method: 'delete',
  path: '/domains/{name}',
  summary: 'Retire a domain safely (RFC 8461 §8.3); ?force=true (operator) removes it at once',
  request: {
    params: DomainParam,
    query: z.object({ force: z.enum(['true', 'false']).optional() }),
  },
  responses: {
    200: json(RetireOut, 'Removed, or retiring with the time it will be removed'),
    ...problems(401, 403, 404, 422),
  },
})

const RestoreOut = z.object({
  name: z.string(),
  status: z.literal('active'),
  restoredAt: z.string(),
  policy: PolicyOut.nullable().describe(
    'The policy in force before the retirement, under a new id; null when there was none',
  ),
  previousPolicyId: z
    .string()
    .nullable()
    .describe('Its id before the retirement, not reused (RFC 8461 §3.1)'),
  message: z.string(),
})

const restore = createRoute({
  method: 'post',
  path: '/domains/{name}/restore',
  summary:
    'Cancel a retirement while the domain is retiring: the previous policy is served again under a new id',
  request: { params: DomainParam },
  responses: {
    200: json(RestoreOut, 'Active again; publish the new _mta-sts id'),
    ...problems(401, 404, 409),
  },
})

function restoreView(r: RestoreResult) {
  const base = {
    name: r.name,
    status: 'active' as const,
    restoredAt: r.restoredAt.toISOString(),
    previousPolicyId: r.previousPolicyId,
  }
  if (!r.policy) {
    return {
      ...base,
      policy: null,
      message:
        'active again with no MTA-STS policy, as before the retirement; ' +
        'remove the _mta-sts TXT record or set a policy',
    }
  }
  return {
    ...base,
    policy: policyView({ ...r.policy, domain: r.name }),
    // RFC 8461 §8.1: the policy is served first, its id published after.
    message:
      `active again, serving the policy in force before the retirement; publish the new ` +
      `_mta-sts id (${r.policy.policyId}) now, so that senders holding mode "none" fetch it`,
  }
}

function retireView(r: RetireResult) {
  if (r.status === 'removed') {
    return {
      name: r.name,
      status: r.status,
      removedAt: r.removedAt.toISOString(),
      message: 'removed; delete its DNS records (mta-sts CNAME, _mta-sts and _smtp._tls TXT)',
    }
  }
  return {
    name: r.name,
    status: r.status,
    retiredAt: r.retiredAt.toISOString(),
    removeAt: r.removeAt.toISOString(),
    policy: policyView({ ...r.policy, domain: r.name }),
    message:
      `now serving mode "none"; publish the new _mta-sts id (${r.policy.policyId}) at once. ` +
      `The policy host stays up until ${r.removeAt.toISOString()}, when every earlier policy ` +
      'has expired in sender caches; remove the DNS records only after that.',
  }
}

function verificationView(r: VerificationOutcome) {
  return { verified: r.verified, message: r.message, domain: domainView(r.domain) }
}

export function domainRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const d = await addDomain(deps, c.get('actor'), c.req.valid('json'))
      return c.json(domainView(d), 201)
    })
    .openapi(
      list,
      async (c) => {
        const { limit, cursor } = c.req.valid('query')
        const page = await listDomains(deps, c.get('actor'), { after: cursor ?? null, limit })
        return c.json(
          {
            domains: page.domains.map(domainView),
            nextCursor: page.next ? encodeDomainCursor(page.next) : null,
          },
          200,
        )
      },
      queryIs400,
    )
    .openapi(verify, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      const r = await verifyDomain(deps, c.get('actor'), name, c.req.valid('json') ?? {})
      return c.json(verificationView(r), 200)
    })
    .openapi(get, async (c) => {
      const d = await getDomain(deps, c.get('actor'), domainFromParam(c.req.valid('param').name))
      return c.json(domainView(d), 200)
    })
    .openapi(retire, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      const force = c.req.valid('query').force === 'true'
      const result = await retireDomain(deps, c.get('actor'), name, { force })
      return c.json(retireView(result), 200)
    })
    .openapi(restore, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      return c.json(restoreView(await restoreDomain(deps, c.get('actor'), name)), 200)
    })
}
