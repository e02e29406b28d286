/** CORS_ORIGINS as the cors package (Express and Socket.IO) takes it: true for any origin, or the list. */
export function corsOrigin(setting: string): boolean | string[] {
  const origins = setting
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return origins.includes('*') ? true : origins;
}
