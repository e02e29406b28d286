/**
 * The paths the official clients of other memory servers call at their host's root (Mem0's
 * `/v1|v2|v3/...`, Letta's `/v1/...`, MCP's `/mcp`): served outside the `/api/v1` prefix.
 * `/api/v1` itself never collides, as its first segment is `api`.
 */
export const COMPAT_ROUTES = ['v1/{*path}', 'v2/{*path}', 'v3/{*path}', 'mcp', 'mcp/{*path}'];
