import fs from 'node:fs'
import { EnvError, getEnv, type Env } from '../app/utils/env.server'

/** Reads .env when present, then validates the environment or exits naming each problem. */
export function loadEnvironment(): Env {
  if (fs.existsSync('.env')) process.loadEnvFile('.env')
  try {
    return getEnv()
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
}
