import type { RouteObject } from 'react-router';
import { AgentPage } from './AgentPage';
import { AgentsPage } from './AgentsPage';

export const agentRoutes: RouteObject[] = [
  { path: 'agents', element: <AgentsPage /> },
  { path: 'agents/:id', element: <AgentPage /> },
];
