import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrations } from './index'

describe('db/migrations/index.ts', () => {
  it('lists every migration file in the folder, in order', () => {
    const files = fs
      .readdirSync(path.resolve('db/migrations'))
      .filter((f) => /^\d{14}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort()
    expect(Object.keys(migrations)).toEqual(files)
    for (const migration of Object.values(migrations)) {
      expect(typeof migration.up).toBe('function')
      expect(typeof migration.down).toBe('function')
    }
  })
})
