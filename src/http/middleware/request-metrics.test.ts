import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { noMetrics, type Metrics } from '../../core/metrics.js'
import type { Logger } from '../../core/ports.js'
import type { AppEnv } from '../env.js'
import { onError } from '../errors.js'
import {
  classifyRequest,
  policyDomainOf,
  requestMetrics,
  type ClassifyOptions,
} from './request-metrics.js'
import { requestLog } from './request-log.js'

const SERVICE = 'sts.policyhost.test'
const options: ClassifyOptions = {
  adminHosts: new Set([SERVICE, 'localhost']),
  policies: {
    lookup: (h) => (h === 'mta-sts.alpha.example' ? { bytes: new Uint8Array() } : undefined),
    logoDomainOf: (h) => (h === 'bimi.alpha.example' ? 'alpha.example' : null),
  },
}

describe('classifyRequest', () => {
  it.each([
    [
      'a served policy host',
      'mta-sts.alpha.example',
      '/.well-known/mta-sts.txt',
      'policy',
      'alpha.example',
    ],
    [
      'a served policy host, another path',
      'mta-sts.alpha.example',
      '/x',
      'policy',
      'alpha.example',
    ],
    ['a logo host', 'bimi.alpha.example', '/default.svg', 'logo', 'alpha.example'],
    ['the service host', SERVICE, '/api/v1/domains', 'service', undefined],
    ['a loopback admin name', 'localhost', '/healthz', 'service', undefined],
    ['the report intake', SERVICE, '/tlsrpt/abc', 'report', undefined],
    ['a shared logo URL', SERVICE, '/logos/alpha.example/ab12.svg', 'logo', undefined],
    [
      'an unknown mta-sts host',
      'mta-sts.stranger.example',
      '/.well-known/mta-sts.txt',
      'other',
      undefined,
    ],
    ['no usable Host', null, '/', 'other', undefined],
  ] as const)(
    'when the request is for %s (Host %s, path %s), then it is %s',
    (_, host, path, cls, domain) => {
      expect(classifyRequest(host, path, options)).toEqual({
        requestClass: cls,
        ...(domain === undefined ? {} : { domain }),
      })
    },
  )

  it.each([
    ['mta-sts.alpha.example', 'alpha.example'],
    ['mta-sts.mta-sts.example', 'mta-sts.example'],
    ['other.example', 'other.example'],
  ])('when the policy host is %s, then its domain is %s', (host, domain) => {
    expect(policyDomainOf(host)).toBe(domain)
  })
})

function recorder() {
  const requests: [string, number, string | undefined][] = []
  const fetches: number[] = []
  const metrics: Metrics = {
    ...noMetrics,
    countHttpRequest: (c, s, d) => void requests.push([c, s, d]),
    observePolicyFetch: (s) => void fetches.push(s),
  }
  return { metrics, requests, fetches }
}

const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => quiet,
  enabled: () => false,
}

function app(metrics: Metrics) {
  const a = new Hono<AppEnv>()
  a.onError(onError)
  a.use(requestMetrics(metrics, options))
  a.use(requestLog(quiet, () => 'req-1'))
  a.get('/.well-known/mta-sts.txt', (c) => c.text('version: STSv1\r\n'))
  a.get('/boom', () => {
    throw new Error('bug')
  })
  return a
}

describe('requestMetrics', () => {
  it('when requests are answered, a handler throws or nothing matches, then each is counted once with its final status', async () => {
    const r = recorder()
    const a = app(r.metrics)

    await a.request('/.well-known/mta-sts.txt', { headers: { host: 'mta-sts.alpha.example' } })
    await a.request('/api/v1/nothing', { headers: { host: SERVICE } })
    await a.request('/boom', { headers: { host: 'stranger.example' } })

    expect(r.requests).toEqual([
      ['policy', 200, 'alpha.example'],
      ['service', 404, undefined],
      ['other', 500, undefined],
    ])
    expect(r.fetches).toHaveLength(1)
    expect(r.fetches[0]).toBeGreaterThan(0)
    expect(r.fetches[0]).toBeLessThan(5)
  })
})
