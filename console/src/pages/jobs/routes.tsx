import type { RouteObject } from 'react-router';
import { JobsPage } from './JobsPage';

export const jobRoutes: RouteObject[] = [{ path: 'jobs', element: <JobsPage /> }];
