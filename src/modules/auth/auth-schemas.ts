import { type Static, Type } from 'typebox'
import { Email, Language, Password, PersonName, Phone } from '../../platform/http/schemas.js'
import { UserView, userView } from '../users/index.js'
import type { SignedIn } from './open-session.js'

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: PersonName,
    phone: Type.Optional(Phone),
    language: Type.Optional(Language),
  },
  { title: 'RegisterRequest', additionalProperties: false },
)

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { title: 'LoginRequest', additionalProperties: false },
)

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 200 }) },
  { title: 'RefreshRequest', additionalProperties: false },
)

export const SignedInView = Type.Object(
  {
    user: UserView,
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds the access token lives' }),
    refresh_token: Type.String(),
  },
  { title: 'SignedIn' },
)

export function signedInView(s: SignedIn): Static<typeof SignedInView> {
  return {
    user: userView(s.user),
    access_token: s.accessToken,
    token_type: 'Bearer',
    expires_in: s.expiresIn,
    refresh_token: s.refreshToken,
  }
}
