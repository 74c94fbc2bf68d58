import { describe, expect, it } from 'vitest'
import {
  publicHttpsPort,
  serviceHostCertified,
  serviceHostScope,
  serviceHostWarnings,
  serviceUrl,
} from './service-host.js'

describe('serviceHostScope', () => {
  it.each([
    ['localhost', 'loopback'],
    ['policyhost.localhost', 'loopback'],
    ['LOCALHOST.', 'loopback'],
    ['myhost', 'private'],
    ['svc.test', 'private'],
    ['svc.internal', 'private'],
    ['printer.local', 'private'],
    ['nas.home.arpa', 'private'],
    ['x.example', 'private'],
    ['svc.example.net', 'public'],
    ['localhost.example.com', 'public'],
    ['mylocal.com', 'public'],
  ])('when SERVICE_HOST is %s, then its scope is %s', (host, scope) => {
    expect(serviceHostScope(host)).toBe(scope)
  })
})

describe('serviceHostCertified', () => {
  it.each([
    ['localhost', 'local', true],
    ['policyhost.localhost', 'local', true],
    ['myhost', 'local', false],
    ['svc.internal', 'local', true],
    ['svc.example.net', 'local', true],
    ['localhost', 'acme', false],
    ['policyhost.localhost', 'acme', false],
    ['myhost', 'acme', false],
    ['svc.internal', 'acme', true],
    ['svc.example.net', 'acme', true],
  ] as const)('when %s is certified by the %s issuer, then %s', (host, issuer, expected) => {
    expect(serviceHostCertified(host, issuer)).toBe(expected)
  })
})

describe('publicHttpsPort and serviceUrl', () => {
  it.each([
    ['localhost', 8443, undefined, 'https://localhost:8443'],
    ['svc.internal', 8443, undefined, 'https://svc.internal:8443'],
    ['svc.example.net', 8443, undefined, 'https://svc.example.net'],
    ['svc.example.net', 8443, 9443, 'https://svc.example.net:9443'],
    ['localhost', 443, undefined, 'https://localhost'],
    ['localhost', 8443, 443, 'https://localhost'],
  ])('when %s listens on %i (PUBLIC_HTTPS_PORT %s), then URLs start %s', (h, p, e, url) => {
    expect(serviceUrl(h, publicHttpsPort(h, p, e))).toBe(url)
  })
})

describe('serviceHostWarnings', () => {
  it('when the name is public and ACME issues, then there is nothing to warn about', () => {
    expect(
      serviceHostWarnings({ host: 'svc.example.net', issuer: 'acme', localCaRoot: null }),
    ).toEqual([])
  })

  it('when the first run uses localhost and the local CA, then both limits are named', () => {
    const w = serviceHostWarnings({
      host: 'localhost',
      issuer: 'local',
      localCaRoot: 'data/certs/local-ca/root.pem',
    })
    expect(w).toHaveLength(2)
    expect(w[0]).toMatch(/SERVICE_HOST localhost is not a public name/)
    expect(w[1]).toMatch(/local CA .* trust data\/certs\/local-ca\/root\.pem/)
  })

  it('when ACME is configured for localhost, then it says no certificate can be had', () => {
    const w = serviceHostWarnings({ host: 'localhost', issuer: 'acme', localCaRoot: null })
    expect(w).toHaveLength(2)
    expect(w[1]).toMatch(/cannot get a certificate from an ACME CA/)
  })

  it('when ACME is configured for a special-use name, then only a private CA is said to work', () => {
    const w = serviceHostWarnings({ host: 'svc.internal', issuer: 'acme', localCaRoot: null })
    expect(w).toHaveLength(2)
    expect(w[1]).toMatch(/public ACME CAs refuse it/)
  })

  it('when a single-label name is used with the local CA, then it says HTTPS fails', () => {
    const w = serviceHostWarnings({ host: 'myhost', issuer: 'local', localCaRoot: '/r.pem' })
    expect(w.some((x) => /single-label name and gets no certificate/.test(x))).toBe(true)
  })
})
