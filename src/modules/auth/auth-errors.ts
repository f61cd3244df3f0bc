import { AppError } from '../../shared/errors.js'

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('unauthorized', 'auth.invalid_credentials', 'The email or password is not correct.')
  }
}

export class TokenMissingError extends AppError {
  constructor() {
    super('unauthorized', 'auth.token_missing', 'Send an access token as "Authorization: Bearer <token>".')
  }
}

export class TokenInvalidError extends AppError {
  constructor() {
    super('unauthorized', 'auth.token_invalid', 'The access token is invalid, expired or revoked.')
  }
}

export class RefreshTokenInvalidError extends AppError {
  constructor() {
    super('unauthorized', 'auth.refresh_token_invalid', 'The refresh token is invalid, expired or revoked.')
  }
}

export class RefreshTokenReusedError extends AppError {
  constructor() {
    super(
      'unauthorized',
      'auth.refresh_token_reused',
      'This refresh token was already used; the whole session has been signed out. Sign in again.',
    )
  }
}
