/**
 * The key a per-source rate limit counts under. An IPv4 address is one source. An IPv6 source
 * is its /64: one subscriber line or host usually holds a whole /64 (RFC 6177, RFC 7421), so
 * counting single addresses would give one sender 2^64 fresh budgets. IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) is the IPv4 address.
 */
export function sourceKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  if (mapped) return mapped[1]!
  if (!address.includes(':')) return address
  const [head = '', tail] = address.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = Math.max(0, 8 - headGroups.length - tailGroups.length)
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups]
  const prefix = groups
    .slice(0, 4)
    .map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16).toString(16) : g.toLowerCase()))
  return `${prefix.join(':')}::/64`
}
