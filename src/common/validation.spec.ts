import { ValidationError } from '@nestjs/common';
import { flattenValidationErrors } from './validation.js';

describe('flattenValidationErrors', () => {
  it('gives nested problems their dotted path', () => {
    const inner: ValidationError = {
      property: 'role',
      constraints: { isIn: 'role must be one of user, assistant' },
      children: [],
    };
    const item: ValidationError = { property: '0', children: [inner] };
    const outer: ValidationError[] = [
      { property: 'messages', children: [item] },
      { property: 'name', constraints: { isString: 'name must be a string' }, children: [] },
    ];
    expect(flattenValidationErrors(outer)).toEqual([
      { field: 'messages.0.role', problems: ['role must be one of user, assistant'] },
      { field: 'name', problems: ['name must be a string'] },
    ]);
  });
});
