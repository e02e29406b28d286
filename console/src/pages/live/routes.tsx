import type { RouteObject } from 'react-router';
import { LivePage } from './LivePage';

export const liveRoutes: RouteObject[] = [{ path: 'live', element: <LivePage /> }];
