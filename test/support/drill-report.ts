import { appendFileSync } from 'node:fs'

export type Figures = Record<string, string | number>

/**
 * A drill's figures: printed, and appended as one JSON line to `DRILL_REPORT` when it is set, so
 * `npm run drills` (scripts/drills/run-all.mjs) can put every drill in one table.
 */
export function reportDrill(drill: string, figures: Figures): void {
  console.log(
    `\n${drill}:\n${Object.entries(figures)
      .map(([k, v]) => `  ${k.padEnd(42)}${v}`)
      .join('\n')}\n`,
  )
  const file = process.env.DRILL_REPORT
  if (file) appendFileSync(file, `${JSON.stringify({ drill, figures })}\n`)
}
