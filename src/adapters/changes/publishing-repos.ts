/**
 * The store publishes: every repository write that changes what a domain or tenant is publishes
 * its event on the change feed once its transaction has committed (core/changes.ts), so no
 * service has to remember to. A write that throws (rolled back) publishes nothing. The
 * certificate manager publishes `certificate.*` itself: bundles live in the certificate store,
 * not in these tables.
 */
import type { Change, ChangePublisher, DomainAspect } from '../../core/changes.js'
import type { Repos } from '../../core/ports.js'

/** Two reads each store answers for the events (any live or pending row, any role). */
export interface PublishLookups {
  /** The domain's name ('' once it is gone); ids never change name. */
  nameOf(domainId: string): Promise<string>
  /** The domain a hostname belongs to, or null. */
  hostOwner(hostname: string): Promise<string | null>
}

/** Names kept by domain id; more are dropped all at once (a cache, not the truth). */
const MAX_NAMES = 10_000

/**
 * `nameOf`, asked once per domain id: ids never change name, so an event after a write needs no
 * round trip to the store to say which domain it is (on PostgreSQL that was one per API write).
 * A gone domain ('') is not kept.
 */
function rememberedNames(nameOf: PublishLookups['nameOf']): PublishLookups['nameOf'] {
  const names = new Map<string, string>()
  return async (domainId) => {
    const known = names.get(domainId)
    if (known !== undefined) return known
    const name = await nameOf(domainId)
    if (name !== '') {
      if (names.size >= MAX_NAMES) names.clear()
      names.set(domainId, name)
    }
    return name
  }
}

export function publishingRepos(
  repos: Repos,
  lookups: PublishLookups,
  feed: ChangePublisher,
): Repos {
  const nameOf = rememberedNames(lookups.nameOf)
  const changed = async (
    domainId: string,
    what: DomainAspect,
    domain?: string,
  ): Promise<Extract<Change, { type: 'domain.changed' }>> => ({
    type: 'domain.changed',
    domainId,
    domain: domain ?? (await nameOf(domainId)),
    what,
  })
  const publish = async (changes: Change[]) => {
    // One after another: the next event's subscribers see the previous one applied (a name
    // that moves from one domain to another is dropped by the first before the second adds it).
    for (const c of changes) await feed.publish(c)
  }
  const {
    domains: d,
    policies: p,
    tlsRpt: t,
    bimi: b,
    tenants,
    quotas,
    zone: z,
    reports: rep,
    checks: ch,
  } = repos
  return {
    ...repos,
    tenants: {
      ...tenants,
      async create(tenant, token, audit) {
        await tenants.create(tenant, token, audit)
        await publish([{ type: 'tenant.changed', tenantId: tenant.id }])
      },
    },
    quotas: {
      ...quotas,
      async setOverrides(tenantId, overrides, audit) {
        await quotas.setOverrides(tenantId, overrides, audit)
        await publish([{ type: 'tenant.changed', tenantId }])
      },
    },
    domains: {
      ...d,
      async create(domain, names, audit) {
        await d.create(domain, names, audit)
        const what = domain.status === 'pending' ? 'claim' : 'status'
        await publish([await changed(domain.id, what, domain.name)])
      },
      async recordCheck(domainId, at, error) {
        await d.recordCheck(domainId, at, error)
        await publish([await changed(domainId, 'claim')])
      },
      async verify(claim, names, displaced, audit) {
        const r = await d.verify(claim, names, displaced, audit)
        // The domains that lost names first, then the one that gained them.
        await publish([
          ...(await Promise.all(r.changed.map((id) => changed(id, 'hostnames')))),
          await changed(claim.id, 'status', claim.name),
        ])
        return r
      },
      async retire(domain, nonePolicy, audit) {
        await d.retire(domain, nonePolicy, audit)
        await publish([await changed(domain.id, 'status', domain.name)])
      },
      async restore(domainId, policy, audit) {
        await d.restore(domainId, policy, audit)
        await publish([await changed(domainId, 'status')])
      },
      async remove(domainId, audit) {
        const domain = await nameOf(domainId)
        const names = (await d.hostnames(domainId)).map((h) => h.name)
        await d.remove(domainId, audit)
        await publish([{ type: 'domain.removed', domainId, domain, hostnames: names }])
      },
    },
    reports: {
      ...rep,
      // The report URL is in the `_smtp._tls` record: a zone that serves it must follow.
      async rotateToken(domainId, token, now, graceUntil, audit) {
        await rep.rotateToken(domainId, token, now, graceUntil, audit)
        await publish([await changed(domainId, 'tls-rpt')])
      },
    },
    checks: {
      ...ch,
      async record(run) {
        const changes = await ch.record(run)
        if (changes.length > 0) await publish([{ type: 'checks.changed', domainId: run.domainId }])
        return changes
      },
    },
    zone: {
      ...z,
      async write(domainId, next, expected, now) {
        const version = await z.write(domainId, next, expected, now)
        if (version !== null) await publish([{ type: 'zone.changed', domainId, version }])
        return version
      },
      async setMode(domainId, mode, label, audit) {
        await z.setMode(domainId, mode, label, audit)
        await publish([await changed(domainId, 'dns')])
      },
    },
    policies: {
      ...p,
      async put(policy, audit) {
        // The text rides along (with the revision that orders it): every instance would
        // otherwise read it back on this, the API's most frequent write (bench row 15c1).
        const event = await changed(policy.domainId, 'policy')
        const announced = feed.announcing?.announcement({
          ...event,
          policy: { text: policy.text, revision: 0 },
        })
        const revision = await p.put(policy, audit, announced ?? undefined)
        if (revision === null) return null
        const carried = { ...event, policy: { text: policy.text, revision } }
        if (announced) await feed.announcing!.publishAnnounced(carried)
        else await publish([carried])
        return revision
      },
    },
    tlsRpt: {
      ...t,
      async put(settings, audit) {
        await t.put(settings, audit)
        await publish([await changed(settings.domainId, 'tls-rpt')])
      },
      async remove(domainId, audit) {
        await t.remove(domainId, audit)
        await publish([await changed(domainId, 'tls-rpt')])
      },
    },
    bimi: {
      ...b,
      async putLogo(assertion, logo, audit) {
        await b.putLogo(assertion, logo, audit)
        await publish([await changed(assertion.domainId, 'bimi')])
      },
      async putCertificate(assertion, audit) {
        await b.putCertificate(assertion, audit)
        await publish([await changed(assertion.domainId, 'bimi')])
      },
      async remove(domainId, selector, audit) {
        await b.remove(domainId, selector, audit)
        await publish([await changed(domainId, 'bimi')])
      },
      async addLogoHost(domainId, hostname, at, audit) {
        await b.addLogoHost(domainId, hostname, at, audit)
        await publish([await changed(domainId, 'hostnames')])
      },
      async removeLogoHost(hostname, audit) {
        const owner = await lookups.hostOwner(hostname)
        await b.removeLogoHost(hostname, audit)
        if (owner !== null) await publish([await changed(owner, 'hostnames')])
      },
    },
  }
}
