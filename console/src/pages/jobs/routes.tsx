import type { RouteObject } from 'react-router';

// Replaced by the jobs pages.
export const jobRoutes: RouteObject[] = [{ path: 'jobs', element: <h1>jobs</h1> }];
