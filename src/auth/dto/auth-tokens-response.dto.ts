import { OrganizationResponseDto } from './organization-response.dto.js';
import { UserResponseDto } from './user-response.dto.js';

export class AuthTokensResponseDto {
  /** Short-lived JWT for `Authorization: Bearer`. */
  accessToken: string;
  /** Single-use token for POST /auth/refresh; keep it secret. */
  refreshToken: string;
  /** @example "Bearer" */
  tokenType: 'Bearer';
  /** Seconds until the access token expires. @example 900 */
  expiresIn: number;
  user: UserResponseDto;
  organization: OrganizationResponseDto;
}
