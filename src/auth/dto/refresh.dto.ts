import { IsString, Matches, MaxLength } from 'class-validator';

export class RefreshDto {
  /** The refresh token from login, registration or the previous refresh (used once). */
  @IsString()
  @MaxLength(200)
  @Matches(/^rt_[A-Za-z0-9_-]+$/, { message: 'refreshToken must be a refresh token (rt_...)' })
  refreshToken: string;
}
