import { createRequire } from 'node:module'

let common: Set<string> | undefined

/**
 * The ~50k most common passwords (zxcvbn-ts's list), compared in lower case. The list (about 10 MB
 * resident with its module) is loaded when a password is first checked, not when the service starts.
 */
export function isCommonPassword(lowercased: string): boolean {
  if (!common) {
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as {
      dictionary: Record<string, string[]>
    }
    common = new Set(dictionary['passwords-common']!.map((p) => p.toLowerCase()))
  }
  return common.has(lowercased)
}
