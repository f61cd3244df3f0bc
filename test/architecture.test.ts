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

/** Runs the import check on a scratch tree made of the given files. */
function checkImports(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'travellr-imports-'))
  try {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), source)
    }
    const res = spawnSync(process.execPath, [join(root, 'scripts/check-imports.mjs'), dir])
    return { ok: res.status === 0, output: res.stdout.toString() + res.stderr.toString() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('module boundaries (the lint step)', () => {
  const base = {
    'src/modules/trips/index.ts': "export { tripSeats } from './trip-seats.js'\n",
    'src/modules/trips/trip-seats.ts': 'export const tripSeats = {}\n',
    'src/modules/trips/trip-repository.ts': 'export const tripRepository = {}\n',
  }

  it('when this repository is checked, then it passes', () => {
    const res = spawnSync(process.execPath, [join(root, 'scripts/check-imports.mjs')])
    expect(res.stderr.toString()).toBe('')
    expect(res.status).toBe(0)
  })

  it("when a module imports another module's index, then it passes", () => {
    const res = checkImports({
      ...base,
      'src/modules/bookings/move-booking.ts':
        "import { tripSeats } from '../trips/index.js'\nexport { tripSeats }\n",
    })
    expect(res.output).toBe('')
    expect(res.ok).toBe(true)
  })

  it("when a module imports another module's inner file, then it fails", () => {
    const res = checkImports({
      ...base,
      'src/modules/bookings/move-booking.ts':
        "import { tripRepository } from '../trips/trip-repository.js'\n",
    })
    expect(res.ok).toBe(false)
    expect(res.output).toContain('use another module only through its index.ts')
  })

  it('when platform imports a module, then it fails', () => {
    const res = checkImports({
      ...base,
      'src/platform/outbox.ts': "import { tripSeats } from '../modules/trips/index.js'\n",
    })
    expect(res.ok).toBe(false)
    expect(res.output).toContain('platform/ and shared/ know no module')
  })

  it('when files import each other in a ring, then it fails', () => {
    const res = checkImports({
      'src/platform/a.ts': "import { b } from './b.js'\nexport const a = b\n",
      'src/platform/b.ts': "import { c } from './c.js'\nexport const b = c\n",
      'src/platform/c.ts': "import { a } from './a.js'\nexport const c = a\n",
    })
    expect(res.ok).toBe(false)
    expect(res.output).toContain(
      'import cycle: src/platform/a.ts → src/platform/b.ts → src/platform/c.ts → src/platform/a.ts',
    )
  })

  it('when two modules use each other, then it fails even if only for types', () => {
    const res = checkImports({
      'src/modules/trips/index.ts': "import type { B } from '../bookings/index.js'\nexport type T = B\n",
      'src/modules/bookings/index.ts': "import type { T } from '../trips/index.js'\nexport type B = T\n",
    })
    expect(res.ok).toBe(false)
    expect(res.output).toContain('module cycle')
  })
})
