import { describe, expect, it } from 'vitest'
import { adviceWithFindings } from './advice-findings.js'
import type { Finding } from './findings.js'

const f = (kind: Finding['kind'], message: string): Finding => ({
  kind,
  key: `${kind}:x`,
  severity: 'warning',
  message,
})

describe('the enforce advice with the live checks', () => {
  const ready = { ready: true, reasons: ['14 of 30 days have reports; 14 needed'] }
  const notReady = { ready: false, reasons: ['3 of 30 days have reports; 14 needed'] }

  it("when no blocking check is open, then the advice is the reports' own", () => {
    expect(adviceWithFindings(ready, [f('certificate', 'expiring'), f('bimi', 'no logo')])).toBe(
      ready,
    )
  })

  it('when the reports say ready but an MX is uncovered, then not ready, and the reason is the check', () => {
    expect(adviceWithFindings(ready, [f('mx', 'MX mx9 is not in the list')])).toEqual({
      ready: false,
      reasons: ['live check: MX mx9 is not in the list'],
    })
  })

  it('when neither the reports nor the checks allow it, then both reasons are given', () => {
    expect(adviceWithFindings(notReady, [f('starttls', 'MX mx1: certificate-expired')])).toEqual({
      ready: false,
      reasons: ['3 of 30 days have reports; 14 needed', 'live check: MX mx1: certificate-expired'],
    })
  })
})
