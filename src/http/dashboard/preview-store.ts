/**
 * The BIMI page's conversion previews (issue 14): the original and the converted SVG, kept in
 * memory under a random id so the page can show both as <img> from a sandboxed path, and so
 * "use the converted logo" takes the bytes from here, never from the browser. Entries are
 * bound to the owner and domain that made them, expire, and are bounded in number and bytes,
 * per owner as well as in total, so one tenant converting in a loop cannot evict the others'.
 */

export interface Preview {
  id: string
  /** The tenant id (or the operator's key) that converted it: the only one who may read it. */
  owner: string
  domain: string
  original: Uint8Array
  converted: Uint8Array
  createdAt: number
}

export interface PreviewLimits {
  /** Entries in all: enough for every tenant converting at once on a small service. */
  maxEntries: number
  /** Entries per owner: a handful of attempts in flight is all a person needs. */
  maxPerOwner: number
  /** Bytes (original + converted) in all: a conversion takes ≤ 256 KiB in (convert-logo.ts). */
  maxBytes: number
  /** How long a preview lives: long enough to look at it and press the button. */
  ttlMs: number
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = {
  maxEntries: 100,
  maxPerOwner: 10,
  maxBytes: 16 * 1024 * 1024,
  ttlMs: 10 * 60_000,
}

const sizeOf = (p: Preview) => p.original.byteLength + p.converted.byteLength

export class PreviewStore {
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly entries = new Map<string, Preview>()
  private bytes = 0

  constructor(
    private readonly now: () => number,
    private readonly newId: () => string,
    private readonly limits: PreviewLimits = DEFAULT_PREVIEW_LIMITS,
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** Keeps a preview and returns its id, evicting expired and then the oldest entries. */
  put(owner: string, domain: string, original: Uint8Array, converted: Uint8Array): string {
    this.expire()
    const entry: Preview = {
      id: this.newId(),
      owner,
      domain,
      original,
      converted,
      createdAt: this.now(),
    }
    const own = [...this.entries.values()].filter((p) => p.owner === owner)
    for (const old of own.slice(0, Math.max(0, own.length - this.limits.maxPerOwner + 1))) {
      this.remove(old.id)
    }
    while (
      this.entries.size > 0 &&
      (this.entries.size >= this.limits.maxEntries ||
        this.bytes + sizeOf(entry) > this.limits.maxBytes)
    ) {
      this.remove(this.entries.keys().next().value as string)
    }
    this.entries.set(entry.id, entry)
    this.bytes += sizeOf(entry)
    return entry.id
  }

  /** The preview when it exists, has not expired and belongs to `owner` and `domain`; else null. */
  get(id: string, owner: string, domain: string): Preview | null {
    this.expire()
    const p = this.entries.get(id)
    return p && p.owner === owner && p.domain === domain ? p : null
  }

  private expire(): void {
    const oldest = this.now() - this.limits.ttlMs
    for (const p of [...this.entries.values()]) if (p.createdAt <= oldest) this.remove(p.id)
  }

  private remove(id: string): void {
    const p = this.entries.get(id)
    if (!p) return
    this.entries.delete(id)
    this.bytes -= sizeOf(p)
  }
}
