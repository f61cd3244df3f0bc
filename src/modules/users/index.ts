export { changeUserStatus } from './change-user-status.js'
export {
  type AccountInput,
  insertAccount,
  insertServiceAccount,
  type PreparedAccount,
  prepareAccount,
} from './create-account.js'
export { createAdmin } from './create-admin.js'
export { deleteUser } from './delete-user.js'
export { getUser, profileKey } from './get-user.js'
export { type RevokeSessions, updateUser } from './update-user.js'
export type { ProfileChange, User } from './user.js'
export { canManageUser, normalizeEmail, passwordProblem } from './user.js'
export { EmailTakenError, UserNotFoundError, WeakPasswordError } from './user-errors.js'
export { userRepository } from './user-repository.js'
export { userRoutes } from './user-routes.js'
export { UserView, userView } from './user-schemas.js'
