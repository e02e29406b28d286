import type { RouteObject } from 'react-router';
import { ToolPage } from './ToolPage';
import { NewToolPage, ToolsPage } from './ToolsPage';

export const toolRoutes: RouteObject[] = [
  { path: 'tools', element: <ToolsPage /> },
  { path: 'tools/new', element: <NewToolPage /> },
  { path: 'tools/:id', element: <ToolPage /> },
];
