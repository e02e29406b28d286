import type { RouteObject } from 'react-router';

// Replaced by the tools pages.
export const toolRoutes: RouteObject[] = [{ path: 'tools', element: <h1>tools</h1> }];
