import { boot } from './boot'

// Only the job runner: run as many of these as the queue needs, against one PostgreSQL.
await boot({ mode: 'production', web: false })
