import type { RouteObject } from 'react-router';

// Loaded on first visit: the code editor (CodeMirror) is most of the console's weight.
export const toolRoutes: RouteObject[] = [
  { path: 'tools', lazy: async () => ({ Component: (await import('./ToolsPage')).ToolsPage }) },
  { path: 'tools/new', lazy: async () => ({ Component: (await import('./ToolsPage')).NewToolPage }) },
  { path: 'tools/:id', lazy: async () => ({ Component: (await import('./ToolPage')).ToolPage }) },
];
