/**
 * Composition root: the runtime (runtime/open.ts: config → database → adapters → services) and
 * serving (runtime/serve.ts: listeners, jobs, graceful stop); runtime/process.ts owns the
 * process's signals. The CLI and the tests import them from here.
 */
export {
  fileTools,
  openRuntime,
  syncDir,
  VERSION,
  type ReportFile,
  type Runtime,
  type RuntimeOptions,
} from './runtime/open.js'
export { serve, type RunningServer, type ServeOptions } from './runtime/serve.js'
export { serveUntilSignal } from './runtime/process.js'
export { backupDataDir, restoreDataDir } from './runtime/backup.js'
export {
  migrateStore,
  type MigrateStoreOptions,
  type MigrateStoreSummary,
} from './runtime/migrate-store.js'
