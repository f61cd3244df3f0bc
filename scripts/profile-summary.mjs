// Summarises a .cpuprofile: self time by function and by package, the top entries.
// Usage: node scripts/profile-summary.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs'

const [file, top = '30'] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, 'utf8'))
const self = new Map()
const byPackage = new Map()
const dt = new Map()
for (let i = 0; i < profile.samples.length; i++)
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))
let total = 0
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0
  total += t
  const f = node.callFrame
  const where = f.url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, 'nm:')
    .replace(/.*\/dist\//, 'dist/')
  const key = `${f.functionName || '(anon)'} ${where}:${f.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + t)
  const pkg = where.startsWith('nm:')
    ? where
        .slice(3)
        .split('/')
        .slice(0, where.slice(3).startsWith('@') ? 2 : 1)
        .join('/')
    : where.startsWith('dist/')
      ? where.split('/').slice(0, 3).join('/')
      : where || f.functionName
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t)
}
const show = (m) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n')
console.log(
  `total ${(total / 1e6).toFixed(1)} s\n\n== by package/file\n${show(byPackage)}\n\n== by function\n${show(self)}`,
)
