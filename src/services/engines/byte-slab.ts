/** Default slab size: many policies (~100 bytes each) per allocation. */
const SLAB_BYTES = 64 * 1024

const encoder = new TextEncoder()

/**
 * Encodes many small strings into shared 64 KiB buffers and hands out views: one ArrayBuffer
 * per policy costs ~300 bytes of bookkeeping, which is 30 MB at 100k domains. Meant for a
 * batch that lives and dies together (a full snapshot): a view keeps its whole slab alive.
 */
export class ByteSlab {
  private slab = new Uint8Array(0)
  private used = 0

  constructor(private readonly slabBytes = SLAB_BYTES) {}

  encode(text: string): Uint8Array<ArrayBuffer> {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const worst = text.length * 3
    if (worst > this.slabBytes / 4) return encoder.encode(text)
    if (this.slab.length - this.used < worst) {
      this.slab = new Uint8Array(this.slabBytes)
      this.used = 0
    }
    const { written } = encoder.encodeInto(text, this.slab.subarray(this.used))
    const view = this.slab.subarray(this.used, this.used + written)
    this.used += written
    return view
  }
}
