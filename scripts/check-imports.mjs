#!/usr/bin/env node
// The module boundaries, checked in the lint step (STYLE.md): a module uses another only through its
// index.ts; platform/ and shared/ never import a module; no runtime import cycle between files; no
// cycle between modules. Usage: node scripts/check-imports.mjs [root]   (root defaults to the repo)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'))
const src = join(root, 'src')

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return filesUnder(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/g

/** Relative imports of a file: target path and whether the import is only of types. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8')
  const found = []
  for (const m of text.matchAll(IMPORT)) found.push({ spec: m[3], typeOnly: Boolean(m[2]) })
  for (const m of text.matchAll(DYNAMIC)) found.push({ spec: m[1], typeOnly: false })
  return found
    .filter((i) => i.spec.startsWith('.'))
    .map((i) => {
      let target = resolve(dirname(file), i.spec.replace(/\.js$/, '.ts'))
      if (!target.endsWith('.ts'))
        target = existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts')
      return { target, typeOnly: i.typeOnly }
    })
}

const rel = (p) => relative(root, p).split(sep).join('/')
const moduleOf = (p) => /^src\/modules\/([^/]+)\//.exec(rel(p))?.[1]

const problems = []
const files = filesUnder(src)
const runtime = new Map()
const moduleEdges = new Map()
for (const file of files) {
  const from = moduleOf(file)
  runtime.set(file, [])
  for (const { target, typeOnly } of importsOf(file)) {
    const to = moduleOf(target)
    if (to && to !== from) {
      if (rel(target) !== `src/modules/${to}/index.ts`)
        problems.push(`${rel(file)} imports ${rel(target)}: use another module only through its index.ts`)
      if (from) {
        if (!moduleEdges.has(from)) moduleEdges.set(from, new Set())
        moduleEdges.get(from).add(to)
      }
      if (/^src\/(platform|shared)\//.test(rel(file)))
        problems.push(`${rel(file)} imports ${rel(target)}: platform/ and shared/ know no module`)
    }
    if (!typeOnly) runtime.get(file).push(target)
  }
}

/** Every cycle's members, found by depth-first search (one report per cycle found). */
function cycles(graph) {
  const state = new Map()
  const stack = []
  const out = []
  const visit = (node) => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') out.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return out
}

for (const cycle of cycles(runtime)) problems.push(`import cycle: ${cycle.map(rel).join(' → ')}`)
for (const cycle of cycles(moduleEdges)) problems.push(`module cycle: ${cycle.join(' → ')}`)

if (problems.length > 0) {
  for (const p of problems) console.error(p)
  console.error(`check-imports: ${problems.length} problem(s)`)
  process.exit(1)
}
