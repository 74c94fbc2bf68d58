// RFC 791 dotted quad; leading zeros are refused because some parsers read them as octal.
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/
// RFC 4291 §2.2: the longest text form, eight groups of four with an IPv4 tail, is 45 characters.
const IPV6_MAX = 45

function ipv6Groups(part: string, last: boolean): number | null {
  if (part === '') return 0
  let groups = 0
  const fields = part.split(':')
  for (const [index, field] of fields.entries()) {
    // RFC 4291 §2.2 form 3: a dotted IPv4 may stand in for the last two groups.
    if (last && index === fields.length - 1 && IPV4.test(field)) groups += 2
    else if (HEX_GROUP.test(field)) groups += 1
    else return null
  }
  return groups
}

function isIpv6(text: string): boolean {
  if (text.length > IPV6_MAX) return false
  // RFC 4291 §2.2 form 2: "::" stands for one or more zero groups and appears at most once.
  const halves = text.split('::')
  if (halves.length > 2) return false
  const [head = '', tail] = halves
  const headGroups = ipv6Groups(head, tail === undefined)
  const tailGroups = tail === undefined ? 0 : ipv6Groups(tail, true)
  if (headGroups === null || tailGroups === null) return false
  const groups = headGroups + tailGroups
  return tail === undefined ? groups === 8 : groups < 8
}

/** Tells whether text is an IPv4 or IPv6 address literal, without brackets or zone index. */
export function isIpLiteral(text: string): boolean {
  return IPV4.test(text) || isIpv6(text)
}
