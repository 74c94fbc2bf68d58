// tsc only emits JavaScript; files the code reads beside itself must travel with the build:
// the SQL migrations drizzle-kit generated (SQLite's and PostgreSQL's), and the dashboard's stylesheet and script.
import { cpSync } from 'node:fs'

cpSync('src/adapters/db/migrations', 'dist/adapters/db/migrations', { recursive: true })
cpSync('src/adapters/pg/migrations', 'dist/adapters/pg/migrations', { recursive: true })
cpSync('src/http/dashboard/assets', 'dist/http/dashboard/assets', { recursive: true })
