import type { RouteObject } from 'react-router';

// Replaced by the agents pages.
export const agentRoutes: RouteObject[] = [{ path: 'agents', element: <h1>agents</h1> }];
