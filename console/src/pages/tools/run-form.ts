/** One input of a tool's run form, read from a property of its parameters schema. */
export interface RunField {
  name: string;
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';
  required: boolean;
  description?: string;
  options?: unknown[];
}

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The inputs for a schema's top-level properties: scalars get their own input, enums a choice,
 * anything else (objects, arrays, unions) a JSON text. Null when the schema has no properties
 * to read (the form is then one JSON text for all the arguments).
 */
export function runFieldsOf(schema: unknown): RunField[] | null {
  if (!isObject(schema) || !isObject(schema.properties)) return null;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(schema.properties).map(([name, raw]) => {
    const prop = isObject(raw) ? raw : {};
    const description = typeof prop.description === 'string' ? prop.description : undefined;
    const base = { name, required: required.has(name), description };
    if (Array.isArray(prop.enum)) return { ...base, kind: 'enum', options: prop.enum };
    const type = prop.type;
    if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean')
      return { ...base, kind: type };
    return { ...base, kind: 'json' };
  });
}

/** The arguments object from the form's texts; blank optional fields are left out. Throws naming a bad field. */
export function argsOf(fields: RunField[], values: Record<string, string>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const field of fields) {
    const text = values[field.name] ?? '';
    if (text === '') continue;
    switch (field.kind) {
      case 'string':
        args[field.name] = text;
        break;
      case 'number':
      case 'integer': {
        const n = Number(text);
        if (!Number.isFinite(n)) throw new Error(`${field.name} must be a number`);
        args[field.name] = n;
        break;
      }
      case 'boolean':
        args[field.name] = text === 'true';
        break;
      case 'enum':
        // The option's index: enum values may be of any JSON type.
        args[field.name] = field.options?.[Number(text)];
        break;
      case 'json':
        try {
          args[field.name] = JSON.parse(text);
        } catch (e) {
          throw new Error(`${field.name} must be JSON`, { cause: e });
        }
        break;
    }
  }
  return args;
}
