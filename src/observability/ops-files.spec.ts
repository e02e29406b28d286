import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// js-yaml comes with @nestjs/swagger (a pinned dependency of the server); promtool is not available here.
import { load } from 'js-yaml';
import { MetricsService } from './metrics.service.js';

const docs = (name: string) => fileURLToPath(new URL(`../../docs/ops/${name}`, import.meta.url));

/** Prometheus' own series and label names that no exporter registers. */
const PROMETHEUS_LABELS = new Set(['job', 'instance', 'le', '__name__']);
/** Histogram series suffixes: the metric registered is the name without them. */
const SUFFIX = /_(bucket|sum|count)$/;
/** Names of the server's metrics: its catalogue, and prom-client's default process ones. */
const METRIC_NAME = /\b(?:agentmem|process|nodejs)_[a-z0-9_]+\b/g;
/** A selector of a metric with label matchers: name{label="...", label=~"..."}. */
const SELECTOR = /\b((?:agentmem|process|nodejs)_[a-z0-9_]+)\{([^}]*)\}/g;
const DURATION = /^\d+[smhd]$/;

interface Rule {
  alert?: string;
  record?: string;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

const metrics = new MetricsService();

/** The registered metric a series name belongs to, or null. */
function registered(series: string): { name: string; labelNames: readonly string[] } | null {
  for (const name of [series, series.replace(SUFFIX, '')]) {
    const metric = metrics.registry.getSingleMetric(name) as unknown as { labelNames?: readonly string[] } | undefined;
    if (metric) return { name, labelNames: metric.labelNames ?? [] };
  }
  return null;
}

/** Every problem with the metric names and label matchers an expression uses. */
function problemsOf(expr: string, where: string): string[] {
  const problems: string[] = [];
  for (const [series] of expr.matchAll(METRIC_NAME)) {
    if (!registered(series)) problems.push(`${where}: ${series} is not a metric the server exports`);
  }
  for (const [, series, matchers] of expr.matchAll(SELECTOR)) {
    const metric = registered(series);
    if (!metric) continue;
    const known = new Set([...metric.labelNames, ...PROMETHEUS_LABELS]);
    for (const [, label] of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      if (!known.has(label)) problems.push(`${where}: ${series} has no label ${label}`);
    }
  }
  let depth = 0;
  for (const c of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if (c === '(') depth += 1;
    if (c === ')') depth -= 1;
    if (depth < 0) break;
  }
  if (depth !== 0) problems.push(`${where}: unbalanced parentheses`);
  return problems;
}

describe('docs/ops: the alert rules and the Grafana dashboard use only what the server exports', () => {
  afterAll(() => metrics.registry.clear());

  describe('alerts.yaml', () => {
    const file = load(readFileSync(docs('alerts.yaml'), 'utf8')) as { groups?: unknown };

    it('is a set of Prometheus rule groups, each rule an alert or a recording rule with its fields', () => {
      expect(Array.isArray(file.groups)).toBe(true);
      const groups = file.groups as { name?: unknown; interval?: unknown; rules?: unknown }[];
      const groupNames = groups.map((g) => g.name);
      expect(new Set(groupNames).size).toBe(groups.length);
      const alerts: string[] = [];
      for (const group of groups) {
        expect(typeof group.name).toBe('string');
        expect(Object.keys(group).every((k) => ['name', 'interval', 'rules'].includes(k))).toBe(true);
        if (group.interval !== undefined) expect(group.interval).toMatch(DURATION);
        expect(Array.isArray(group.rules) && group.rules.length > 0).toBe(true);
        for (const rule of group.rules as Rule[]) {
          const what = `${String(group.name)}/${rule.alert ?? rule.record}`;
          expect([rule.alert, rule.record].filter((x) => typeof x === 'string')).toHaveLength(1);
          expect(typeof rule.expr === 'string' && rule.expr.trim().length > 0).toBe(true);
          const allowed = rule.alert ? ['alert', 'expr', 'for', 'labels', 'annotations'] : ['record', 'expr', 'labels'];
          expect({ what, keys: Object.keys(rule).filter((k) => !allowed.includes(k)) }).toEqual({ what, keys: [] });
          if (rule.record) {
            expect(rule.record).toMatch(/^[a-zA-Z_][a-zA-Z0-9_:]*$/);
            continue;
          }
          alerts.push(rule.alert!);
          expect(rule.alert).toMatch(/^AgentMem[A-Za-z0-9]+$/);
          if (rule.for !== undefined) expect(rule.for).toMatch(DURATION);
          expect({ what, severity: rule.labels?.severity }).toEqual({
            what,
            severity: expect.stringMatching(/^(warning|critical)$/),
          });
          expect(typeof rule.annotations?.summary).toBe('string');
          expect(typeof rule.annotations?.description).toBe('string');
        }
      }
      expect(new Set(alerts).size).toBe(alerts.length);
      // What issue 16 asks the rules to cover.
      for (const name of [
        'AgentMemHigh5xxRatio',
        'AgentMemSlowMemoryRoutes',
        'AgentMemQueueBacklog',
        'AgentMemJobsFailing',
        'AgentMemSandboxSaturated',
        'AgentMemEventDeliveryLag',
        'AgentMemDatabaseDown',
      ])
        expect(alerts).toContain(name);
    });

    it('names only metrics the server registers, with their labels, in well-formed expressions', () => {
      const groups = file.groups as { name: string; rules: Rule[] }[];
      const recorded = new Set(groups.flatMap((g) => g.rules.map((r) => r.record).filter(Boolean)));
      const problems: string[] = [];
      const used = new Set<string>();
      for (const g of groups)
        for (const r of g.rules) {
          const expr = r.expr as string;
          problems.push(...problemsOf(expr, `${g.name}/${r.alert ?? r.record}`));
          for (const [series] of expr.matchAll(METRIC_NAME)) used.add(series.replace(SUFFIX, ''));
          // A recording rule's series (agentmem:...) must be recorded in this file.
          for (const [name] of expr.matchAll(/\bagentmem:[a-zA-Z0-9_:]+/g))
            if (!recorded.has(name)) problems.push(`${g.name}/${r.alert}: ${name} is recorded by no rule`);
        }
      expect(problems).toEqual([]);
      for (const name of [
        'agentmem_http_request_duration_seconds',
        'agentmem_queue_jobs',
        'agentmem_jobs_failed_total',
        'agentmem_job_duration_seconds',
        'agentmem_sandbox_busy',
        'agentmem_event_delivery_lag_seconds',
        'agentmem_db_up',
      ])
        expect(used).toContain(name);
    });
  });

  describe('grafana-dashboard.json', () => {
    const dashboard = JSON.parse(readFileSync(docs('grafana-dashboard.json'), 'utf8')) as {
      uid?: unknown;
      title?: unknown;
      schemaVersion?: unknown;
      panels?: { id: number; type: string; title: string; gridPos?: unknown; targets?: { expr?: unknown }[] }[];
      templating?: { list?: { name: string; query?: unknown }[] };
    };
    const panels = dashboard.panels ?? [];

    it('is a dashboard of titled panels, each graph with at least one query', () => {
      expect(dashboard.uid).toEqual(expect.any(String));
      expect(dashboard.title).toEqual(expect.any(String));
      expect(dashboard.schemaVersion).toEqual(expect.any(Number));
      expect(panels.length).toBeGreaterThan(10);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels) {
        expect(p.title).toEqual(expect.any(String));
        expect(p.gridPos).toEqual(
          expect.objectContaining({
            h: expect.any(Number),
            w: expect.any(Number),
            x: expect.any(Number),
            y: expect.any(Number),
          }),
        );
        if (p.type === 'row') continue;
        expect({ title: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ title: p.title, targets: true });
        for (const t of p.targets ?? []) expect(typeof t.expr === 'string' && t.expr.length > 0).toBe(true);
      }
    });

    it('names only metrics the server registers, with their labels', () => {
      const problems: string[] = [];
      const used = new Set<string>();
      const exprs = [
        ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr as string }))),
        ...(dashboard.templating?.list ?? []).map((v) => ({
          where: `$${v.name}`,
          expr: JSON.stringify(v.query ?? ''),
        })),
      ];
      for (const { where, expr } of exprs) {
        problems.push(...problemsOf(expr.replace(/\\"/g, '"'), where));
        for (const [series] of expr.matchAll(METRIC_NAME)) used.add(series.replace(SUFFIX, ''));
      }
      expect(problems).toEqual([]);
      // Panels for what the alerts watch.
      for (const name of [
        'agentmem_http_request_duration_seconds',
        'agentmem_search_duration_seconds',
        'agentmem_queue_jobs',
        'agentmem_jobs_failed_total',
        'agentmem_sandbox_busy',
        'agentmem_event_delivery_lag_seconds',
        'agentmem_db_up',
        'agentmem_db_pool_connections',
        'agentmem_llm_tokens_total',
      ])
        expect(used).toContain(name);
    });
  });

  it('finds an unknown metric or label (the check can fail)', () => {
    expect(problemsOf('rate(agentmem_no_such_metric_total[5m])', 'x')).toHaveLength(1);
    expect(problemsOf('agentmem_db_pool_connections{stat="idle"}', 'x')).toEqual([
      'x: agentmem_db_pool_connections has no label stat',
    ]);
    expect(problemsOf('sum(rate(agentmem_http_request_duration_seconds_bucket{route="/x"}[5m])', 'x')).toEqual([
      'x: unbalanced parentheses',
    ]);
    expect(problemsOf('histogram_quantile(0.95, rate(agentmem_search_duration_seconds_bucket[5m]))', 'x')).toEqual([]);
  });
});
