import { describe, expect, it } from 'vitest'
import { compareFindings, type CheckKind, type Finding } from './findings.js'

const f = (key: string, severity: Finding['severity'] = 'error'): Finding => ({
  kind: key.split(':')[0] as CheckKind,
  key,
  severity,
  message: `about ${key}`,
})
const ran = (...kinds: CheckKind[]) => new Set(kinds)

describe('comparing a run with the stored findings', () => {
  const cases: [string, Finding[], Set<CheckKind>, Finding[], string[], string[]][] = [
    // what, before, ran, found, changes (change:key), current keys
    ['nothing before, nothing found', [], ran('mx'), [], [], []],
    [
      'a new problem',
      [],
      ran('mx'),
      [f('mx:uncovered:a')],
      ['opened:mx:uncovered:a'],
      ['mx:uncovered:a'],
    ],
    [
      'the same problem again: no change',
      [f('mx:uncovered:a')],
      ran('mx'),
      [f('mx:uncovered:a')],
      [],
      ['mx:uncovered:a'],
    ],
    ['a problem gone', [f('mx:uncovered:a')], ran('mx'), [], ['resolved:mx:uncovered:a'], []],
    [
      'a check that did not run keeps its findings (not resolved)',
      [f('starttls:a:certificate-expired')],
      ran('mx'),
      [],
      [],
      ['starttls:a:certificate-expired'],
    ],
    ['a finding of a kind that did not run is ignored', [], ran('mx'), [f('starttls:b:x')], [], []],
    [
      'same problem, other severity',
      [f('mx:uncovered:a', 'warning')],
      ran('mx'),
      [f('mx:uncovered:a', 'error')],
      ['severity:mx:uncovered:a'],
      ['mx:uncovered:a'],
    ],
    [
      'one opens, one resolves, one stays; sorted by key',
      [f('sts-record:missing'), f('mx:uncovered:b')],
      ran('mx', 'sts-record'),
      [f('mx:uncovered:b'), f('mx:uncovered:a')],
      ['opened:mx:uncovered:a', 'resolved:sts-record:missing'],
      ['mx:uncovered:a', 'mx:uncovered:b'],
    ],
    [
      'reported twice in one run: once, at the worse severity',
      [],
      ran('mx'),
      [f('mx:uncovered:a', 'warning'), f('mx:uncovered:a', 'error')],
      ['opened:mx:uncovered:a'],
      ['mx:uncovered:a'],
    ],
  ]
  for (const [what, before, kinds, found, changes, current] of cases) {
    it(`when ${what}, then the changes and stored findings are as expected`, () => {
      const r = compareFindings(before, kinds, found)
      expect(r.changes.map((c) => `${c.change}:${c.finding.key}`)).toEqual(changes)
      expect(r.current.map((c) => c.key)).toEqual(current)
    })
  }

  it('when the severity changes, then the change says what it was', () => {
    const r = compareFindings([f('mx:uncovered:a', 'warning')], ran('mx'), [f('mx:uncovered:a')])
    expect(r.changes).toEqual([
      { change: 'severity', finding: f('mx:uncovered:a'), was: 'warning' },
    ])
    expect(r.current[0]?.severity).toBe('error')
  })
})
