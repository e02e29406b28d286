import { Navigate, Outlet, RouterProvider, createBrowserRouter, useLocation } from 'react-router';
import { useEffect } from 'react';
import { useSession } from './auth/session';
import { followJobs } from './live/jobs';
import { agentRoutes } from './pages/agents/routes';
import { jobRoutes } from './pages/jobs/routes';
import { liveRoutes } from './pages/live/routes';
import { memoryRoutes } from './pages/memories/routes';
import { settingsRoutes } from './pages/settings/routes';
import { SignIn } from './pages/SignIn';
import { toolRoutes } from './pages/tools/routes';
import { Layout } from './ui/Layout';
import { Loading } from './ui/kit';

/** Pages behind sign-in: without a credential, to /signin (and back here after). */
function RequireSession() {
  const session = useSession();
  const location = useLocation();
  useEffect(() => {
    if (session.credential) followJobs();
  }, [session.credential]);
  if (!session.credential)
    return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  if (session.loading) return <Loading label="Signing in…" />;
  return <Outlet />;
}

const router = createBrowserRouter(
  [
    { path: '/signin', element: <SignIn /> },
    {
      element: <RequireSession />,
      children: [
        {
          element: <Layout />,
          children: [
            { index: true, element: <Navigate to="/memories" replace /> },
            ...memoryRoutes,
            ...agentRoutes,
            ...toolRoutes,
            ...liveRoutes,
            ...jobRoutes,
            ...settingsRoutes,
            { path: '*', element: <Navigate to="/memories" replace /> },
          ],
        },
      ],
    },
  ],
  { basename: '/console' },
);

export function App() {
  return <RouterProvider router={router} />;
}
