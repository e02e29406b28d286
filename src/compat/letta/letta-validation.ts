import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow } from 'class-validator';

/**
 * A Letta field AgentMem accepts so that clients sending it keep working, and ignores (the
 * field's doc comment says why). Any value passes; none is used.
 */
export const IgnoredField = (why: string) =>
  applyDecorators(Allow(), ApiProperty({ required: false, description: `Accepted and ignored: ${why}` }));

/** A query parameter that may repeat (`?tags=a&tags=b`, as the Letta client sends arrays): always an array. */
export const QueryArray = () =>
  Transform(({ value }: { value: unknown }) => (value === undefined || Array.isArray(value) ? value : [value]));

/** Letta's clients send `null` for "not given": null becomes undefined before validation. */
export const NullAsMissing = () => Transform(({ value }: { value: unknown }) => (value === null ? undefined : value));
