import { dictionary } from '@zxcvbn-ts/language-common'

let common: Set<string> | undefined

/** The ~50k most common passwords (zxcvbn-ts's list), compared in lower case. */
export function isCommonPassword(lowercased: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()))
  return common.has(lowercased)
}
