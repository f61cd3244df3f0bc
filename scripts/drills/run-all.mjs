#!/usr/bin/env node
// `npm run drills`: runs every drill script in this folder, one after another at full length, and
// prints one table of their figures. Each drill's own output goes to a log file (its path is printed).
// Exits non-zero when any drill does. `--only NAME[,NAME]` runs some of them.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const DRILLS = [
  'oversell',
  'booking-races',
  'scale-out',
  'kill-9',
  'payment-crash',
  'redis-pause',
  'postgres-restart',
  'stripe-drops',
  'slow-clients',
  'schedules',
]

const { values } = parseArgs({ options: { only: { type: 'string' } } })
const chosen = values.only ? values.only.split(',') : DRILLS
const unknown = chosen.filter((d) => !DRILLS.includes(d))
if (unknown.length) {
  console.error(`Unknown drill: ${unknown.join(', ')}. Drills: ${DRILLS.join(', ')}`)
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'travellr-drills-'))
const here = import.meta.dirname
const results = []
for (const drill of chosen) {
  const report = join(dir, `${drill}.jsonl`)
  const log = join(dir, `${drill}.log`)
  writeFileSync(report, '')
  const started = Date.now()
  process.stdout.write(`${drill} … `)
  const code = await new Promise((resolve) => {
    const child = spawn('sh', [join(here, `${drill}.sh`)], {
      env: { ...process.env, DRILL_REPORT: report },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('exit', (c) => {
      writeFileSync(log, out)
      resolve(c ?? 1)
    })
  })
  const seconds = Math.round((Date.now() - started) / 1000)
  const reports = readFileSync(report, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
  console.log(`${code === 0 ? 'passed' : `FAILED (see ${log})`} in ${seconds} s`)
  results.push({ drill, passed: code === 0, seconds, reports })
}

const cell = (s) => String(s).replaceAll('|', '\\|')
const lines = [
  `Drills, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (logs: ${dir})`,
  '',
  '| drill | result | s | what it measured |',
  '|---|---|---|---|',
]
for (const r of results) {
  const figures = r.reports.length
    ? r.reports
        .map(
          (rep) =>
            `**${rep.drill}**: ${Object.entries(rep.figures)
              .map(([k, v]) => `${k} ${v}`)
              .join('; ')}`,
        )
        .join('<br>')
    : '(no figures)'
  lines.push(`| ${r.drill} | ${r.passed ? 'passed' : '**FAILED**'} | ${r.seconds} | ${cell(figures)} |`)
}
const failed = results.filter((r) => !r.passed).length
lines.push('', `${results.length - failed} drills passed, ${failed} failed`)
console.log(`\n${lines.join('\n')}`)
process.exit(failed ? 1 : 0)
