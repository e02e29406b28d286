import { IsObject, IsOptional } from 'class-validator';

export class RunToolDto {
  /** The arguments, checked against the tool's parameters schema first. @example {"a":1,"b":2} */
  @IsOptional()
  @IsObject()
  args?: Record<string, unknown>;
}
