import type { RouteObject } from 'react-router';

// Replaced by the settings pages.
export const settingsRoutes: RouteObject[] = [{ path: 'settings', element: <h1>settings</h1> }];
