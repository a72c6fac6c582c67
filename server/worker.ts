import { loadEnvironment } from './environment'

// Only the job runner: run as many of these as the queue needs, against one PostgreSQL.
// As with `npm start`, configuration keeps the operator's NODE_ENV and React (the email
// templates) runs in production mode, so it is loaded only after NODE_ENV is set.
loadEnvironment()
process.env.NODE_ENV = 'production'
const { boot } = await import('./boot')
await boot({ mode: 'production', web: false })
