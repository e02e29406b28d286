import { Transform } from 'class-transformer';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { OmittableNotNull } from '../../common/validation.js';
import { ROLES } from '../../common/context/principal.js';
import type { Role } from '../../common/context/principal.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class UpdateUserDto {
  @OmittableNotNull()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /** Only admins and owners change roles; only owners grant or take away owner. */
  @ApiProperty({ enum: ROLES, required: false })
  @OmittableNotNull()
  @IsIn(ROLES)
  role?: Role;

  /** A new password; ends every session of that user. */
  @OmittableNotNull()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password?: string;
}
