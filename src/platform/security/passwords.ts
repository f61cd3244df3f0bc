import * as argon2 from 'argon2'

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

export function createPasswordHasher(params: Argon2Params): PasswordHasher {
  const options: argon2.HashOptions & { raw?: false } = {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  }
  let dummy: Promise<string> | undefined
  return {
    hash: (password) => argon2.hash(password, options) as Promise<string>,
    async verify(hash, password) {
      try {
        return await argon2.verify(hash, password)
      } catch {
        return false
      }
    },
    async verifyNothing(password) {
      dummy ??= argon2.hash('not-a-real-password-just-timing', options) as Promise<string>
      await argon2.verify(await dummy, password)
      return false
    },
  }
}
