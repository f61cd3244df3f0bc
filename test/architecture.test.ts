import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')

/** Lints a would-be file at a path of the tree with the project's own Biome configuration, in a scratch copy. */
function lintAs(path: string, source: string) {
  const dir = mkdtempSync(join(tmpdir(), 'travellr-arch-'))
  try {
    const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'))
    config.vcs = { enabled: false }
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config))
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), source)
    const res = spawnSync(join(root, 'node_modules/.bin/biome'), ['lint', path], { cwd: dir })
    return { ok: res.status === 0, output: res.stdout.toString() + res.stderr.toString() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('layering (the lint step)', () => {
  it.each([
    ["import { sql } from 'kysely'", 'src/modules/users/user.ts'],
    ["import type { FastifyInstance } from 'fastify'", 'src/modules/auth/auth.ts'],
    ["import { readFileSync } from 'node:fs'", 'src/shared/money.ts'],
    ["import { addEvent } from '../../platform/outbox.js'", 'src/modules/users/user-errors.ts'],
    ["import { userRepository } from './user-repository.js'", 'src/modules/users/user.ts'],
  ])('when a domain file has `%s`, then lint fails (%s)', (line, path) => {
    const res = lintAs(path, `${line}\nexport const x = 1\n`)
    expect(res.ok).toBe(false)
    expect(res.output).toContain('noRestrictedImports')
  })

  it('when a repository or use case imports Kysely and platform, then lint passes', () => {
    const source =
      "import type { Kysely } from 'kysely'\nimport type { DB } from '../../platform/database/schema.js'\nexport type X = Kysely<DB>\n"
    expect(lintAs('src/modules/users/user-repository.ts', source).ok).toBe(true)
    expect(lintAs('src/modules/users/update-user.ts', source).ok).toBe(true)
  })
})
