import { defineConfig } from 'drizzle-kit'

// The PostgreSQL store's migrations (issue 15); drizzle.config.ts has SQLite's.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/adapters/pg/schema.ts',
  out: './src/adapters/pg/migrations',
})
