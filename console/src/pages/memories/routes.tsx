import type { RouteObject } from 'react-router';

// Replaced by the memories pages.
export const memoryRoutes: RouteObject[] = [{ path: 'memories', element: <h1>memories</h1> }];
