import type { RouteObject } from 'react-router';

// Replaced by the live pages.
export const liveRoutes: RouteObject[] = [{ path: 'live', element: <h1>live</h1> }];
