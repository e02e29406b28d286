/**
 * Text typed into a JSON field as an object, or an error naming the field and what is wrong
 * (checked before anything is sent). Empty text is an empty object.
 */
export function parseJsonObject(text: string, field: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${field} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${field} must be a JSON object`);
  return value as Record<string, unknown>;
}
