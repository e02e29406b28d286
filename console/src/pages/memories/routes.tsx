import type { RouteObject } from 'react-router';
import { MemoriesPage } from './MemoriesPage';
import { MemoryDetail } from './MemoryDetail';

export const memoryRoutes: RouteObject[] = [
  { path: 'memories', element: <MemoriesPage /> },
  { path: 'memories/:id', element: <MemoryDetail /> },
];
