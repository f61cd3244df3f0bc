import { availableParallelism } from 'node:os'
import * as argon2 from 'argon2'
import pLimit from 'p-limit'

export interface Argon2Params {
  memoryKiB: number
  iterations: number
  parallelism: number
}

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(hash: string, password: string): Promise<boolean>
  /** Same work as a real verify, for unknown accounts, so timing does not tell which emails exist. */
  verifyNothing(password: string): Promise<false>
}

/**
 * Each Argon2id computation holds its memory (19 MiB by default) while it runs. More at once than
 * there are cores finishes none sooner, it only holds more memory: hashes and verifications queue for
 * a core, so a burst of sign-ins costs cores × 19 MiB, not libuv's four threads' worth (or more).
 */
export function createPasswordHasher(
  params: Argon2Params,
  concurrency = availableParallelism(),
): PasswordHasher {
  const limit = pLimit(Math.max(1, concurrency))
  const options: argon2.HashOptions & { raw?: false } = {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  }
  let dummy: Promise<string> | undefined
  return {
    hash: (password) => limit(() => argon2.hash(password, options) as Promise<string>),
    async verify(hash, password) {
      try {
        return await limit(() => argon2.verify(hash, password))
      } catch {
        return false
      }
    },
    async verifyNothing(password) {
      dummy ??= limit(() => argon2.hash('not-a-real-password-just-timing', options) as Promise<string>)
      const known = await dummy
      await limit(() => argon2.verify(known, password))
      return false
    },
  }
}
