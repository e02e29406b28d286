import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Validates a `:id` path parameter: a malformed id is a 400 naming the parameter, not a 500. */
export const ParseId = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestException({ message: 'id must be a UUID', code: 'VALIDATION_FAILED' }),
});
