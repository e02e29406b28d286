// Loaded by the `e2e-postgres` jest project: the same e2e specs then run on the PostgreSQL
// server at DATABASE_URL (a fresh database per app) instead of an embedded PGlite.
process.env.AGENTMEM_E2E_TARGET = 'postgres';
