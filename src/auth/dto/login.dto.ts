import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  /** @example "ada@acme.test" */
  @IsEmail()
  @MaxLength(320)
  email: string;

  /** @example "correct horse battery staple" */
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}
