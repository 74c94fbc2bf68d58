#!/usr/bin/env node
/**
 * The operator CLI: the same service verbs as the API, acting as the operator. The commands are
 * a table (src/cli/commands.ts) whose code loads only when run; results go to stdout (secrets
 * only once), every failure is one line on stderr and a non-zero exit.
 */
import { main } from './run.js'

process.exitCode = await main(process.argv.slice(2))
