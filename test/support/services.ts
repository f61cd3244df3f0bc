/** The local services every machine (and CI) runs; see README "Tests". */
export const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const PG_BASE = ADMIN_URL.replace(/\/[^/]*$/, '')
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
