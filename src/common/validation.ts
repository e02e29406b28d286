import { applyDecorators, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate, ValidateIf } from 'class-validator';
import { ISO_DATE_MESSAGE, parseIsoDateTime } from './input/iso-date.js';

export interface FieldProblem {
  /** Dotted path of the field, e.g. `messages.0.role`. */
  field: string;
  problems: string[];
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own: FieldProblem[] = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * Global validation: unknown fields are refused, payloads are turned into DTO instances, and
 * every problem names its field (nested ones by their dotted path).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      // class-validator's messages start with the property name; nested ones get their path.
      const message = details
        .flatMap((d) => d.problems.map((p) => (d.field.includes('.') ? `${d.field}: ${p}` : p)))
        .join('; ');
      return new BadRequestException({ message: message || 'Invalid request', code: 'VALIDATION_FAILED', details });
    },
  });
}

/**
 * A field that may be left out but not set to null (class-validator's @IsOptional lets null
 * through, which a NOT NULL column would answer with a 500): null gets the field's own 400.
 */
export const OmittableNotNull = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/**
 * A date-time field: strict ISO 8601 within PostgreSQL's range (see parseIsoDateTime), turned
 * into a Date; anything else, including what `new Date()` would still take, is a 400 naming it.
 */
export const IsIsoDateTime = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? (parseIsoDateTime(value) ?? value) : value,
    ),
    IsDate({ message: ({ property }) => `${property} ${ISO_DATE_MESSAGE}` }),
  );
