import type { Logger, SnapshotSource } from '../core/ports.js'

/** A policy ready to send: the exact bytes, encoded once. */
export interface ServedBody {
  text: string
  bytes: Uint8Array<ArrayBuffer>
}

const encoder = new TextEncoder()

/**
 * The in-memory map the public listener serves from (hostname → policy bytes), so the request
 * hot path never touches the database. Rebuilt after every local change and whenever another
 * process (the CLI, another instance) has committed, which `poll()` detects cheaply.
 */
export class PolicySnapshot {
  private byHost = new Map<string, ServedBody>()
  private marker: number | null = null
  private running: Promise<void> | null = null
  private again = false

  constructor(
    private readonly source: SnapshotSource,
    private readonly log: Logger,
  ) {}

  /** The policy served on `hostname`, if any. */
  lookup(hostname: string): ServedBody | undefined {
    return this.byHost.get(hostname)
  }

  get size(): number {
    return this.byHost.size
  }

  /** Reloads everything; concurrent calls coalesce into at most one more reload. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      do {
        this.again = false
        const marker = await this.source.changeMarker()
        const rows = await this.source.servedPolicies()
        const next = new Map<string, ServedBody>()
        for (const row of rows)
          next.set(row.hostname, { text: row.text, bytes: encoder.encode(row.text) })
        this.byHost = next
        this.marker = marker
        this.log.debug('snapshot_refreshed', { policies: next.size })
      } while (this.again)
    })().finally(() => {
      this.running = null
    })
    return this.running
  }

  /** Reloads only when the database changed under us since the last load. */
  async poll(): Promise<void> {
    const marker = await this.source.changeMarker()
    if (marker !== this.marker) await this.refresh()
  }
}
