import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../../common/context/principal.js';
import type { Role } from '../../common/context/principal.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateUserDto {
  /** @example "grace@acme.test" */
  @Transform(trim)
  @IsEmail()
  @MaxLength(320)
  email: string;

  /** @example "Grace Hopper" */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  /** Initial password, at least 8 characters. */
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password: string;

  @ApiProperty({ enum: ROLES, example: 'member' })
  @IsIn(ROLES)
  role: Role;
}
