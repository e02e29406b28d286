import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class RegisterDto {
  /** Name of the new organization (the tenant). @example "Acme Robotics" */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  organizationName: string;

  /** Email of the organization's first owner; unique across the installation. @example "ada@acme.test" */
  @Transform(trim)
  @IsEmail()
  @MaxLength(320)
  email: string;

  /** At least 8 characters. @example "correct horse battery staple" */
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password: string;

  /** Display name. @example "Ada Lovelace" */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
}
