// tsc only emits JavaScript; the SQL migrations drizzle-kit generated must travel with the build.
import { cpSync } from 'node:fs'

cpSync('src/adapters/db/migrations', 'dist/adapters/db/migrations', { recursive: true })
