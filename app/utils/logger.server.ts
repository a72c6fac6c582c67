import pino from 'pino'

const globalForLogger = globalThis as unknown as { __chorusLogger?: pino.Logger }

function level() {
  const wanted = process.env.LOG_LEVEL
  if (wanted && ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(wanted)) return wanted
  return process.env.NODE_ENV === 'test' ? 'warn' : 'info'
}

export const logger: pino.Logger =
  globalForLogger.__chorusLogger ??
  (globalForLogger.__chorusLogger = pino({
    level: level(),
    base: { app: 'chorus' },
    redact: { paths: ['email', '*.email', 'token', '*.token', 'ip'], censor: '[redacted]' },
  }))
