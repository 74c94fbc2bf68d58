/**
 * CLI commands for the data directory as a whole: backup and restore (SQLite deployments), and
 * the move of a SQLite deployment to PostgreSQL.
 */
import type { Command } from './command.js'

export const STORE_COMMANDS: Command[] = [
  {
    name: 'backup',
    summary: 'copy the database and certificates into a new directory (while serving)',
    usage: 'DEST',
    args: 'DEST',
    help:
      'Writes DEST (a new or empty directory): policyhost.sqlite, a consistent copy taken with ' +
      "SQLite's online backup API while a server may be writing; certs/, the certificate store " +
      'with its private keys (files 0600, directories 0700); and manifest.json with the ' +
      'version, the time and the sha256 of every file. Keep DEST as private as DATA_DIR.',
    needs: 'config',
    run: async (c) => (await import('./backup.js')).backupCmd(c.config, c.args[0]!),
  },
  {
    name: 'restore',
    summary: 'replace the database and certificates with a backup (server stopped)',
    usage: 'SRC [--force]',
    args: 'SRC',
    help:
      'Checks the backup in SRC first (the manifest and every hash, the database sound and not ' +
      'from a newer version) and refuses while a server uses DATA_DIR; then replaces the ' +
      'database and the certificate store. What it replaces is kept beside it as ' +
      '<name>.before-restore-<time>.',
    options: {
      force: {
        type: 'boolean',
        help: 'restore even though a server seems to be using DATA_DIR',
      },
    },
    needs: 'config',
    run: async (c) => (await import('./backup.js')).restoreCmd(c.config, c.args[0]!, c.opts),
  },
  {
    name: 'migrate-store',
    summary: 'copy a SQLite deployment into the PostgreSQL database of DATABASE_URL',
    usage: '[--from PATH] [--replace]',
    args: '',
    help:
      'Migrates the PostgreSQL database DATABASE_URL names, then copies every table of the ' +
      'SQLite database (DATA_DIR/policyhost.sqlite, or PATH) into it in one transaction: all ' +
      'rows or none. The SQLite file is read in one read transaction, so a server may keep ' +
      'serving from it meanwhile. Refuses a SQLite file not migrated to this version, and a ' +
      'target that already holds rows. Prints the rows copied per table and the total.',
    options: {
      from: { type: 'string', value: 'PATH', help: 'the SQLite file to copy' },
      replace: {
        type: 'boolean',
        help: "empty the target's tables first (in the same transaction)",
      },
    },
    needs: 'config',
    run: async (c) => (await import('./migrate-store.js')).migrateStoreCmd(c.config, c.opts),
  },
]
