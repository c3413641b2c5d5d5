/**
 * The shipped Grafana dashboard and Prometheus alerts read only metrics that a
 * node really serves: every metric name in their queries is in a live node's
 * /metrics (by its `# TYPE` line; a histogram's _bucket/_sum/_count too).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startService } from '../helpers/inProcess.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN = 'dashboard-metrics-token-0123456789abcdef';
/** Series Prometheus makes itself for every target. */
const PROMETHEUS_OWN = new Set(['up']);

let server: Running;
let served: Set<string>;
beforeAll(async () => {
  server = await startService({ METRICS_TOKEN: TOKEN });
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  served = new Set();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    served.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) served.add(name! + suffix);
  }
});
afterAll(async () => {
  await server.stop();
});

/** Metric names in a PromQL expression: identifiers followed by a selector, or starting with metsony_. */
function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const unquoted = expr.replace(/"[^"]*"/g, '""');
  for (const [name] of unquoted.matchAll(/\bmetsony_[a-z0-9_]+\b/g)) names.add(name);
  for (const [, name] of unquoted.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)) names.add(name!);
  return [...names];
}

type Panel = { title?: string; type: string; targets?: Array<{ expr: string }>; panels?: Panel[] };

describe('deploy/grafana/metsony.json and deploy/prometheus/alerts.yml', () => {
  it('the node serves the metrics the dashboard and alerts need', () => {
    for (const name of ['metsony_sockets_open', 'metsony_ready', 'metsony_dependency_up', 'metsony_http_errors_total', 'metsony_socket_errors_total', 'metsony_rate_limited_total', 'metsony_match_wait_seconds_bucket', 'metsony_process_nodejs_eventloop_lag_p99_seconds']) {
      expect(served, name).toContain(name);
    }
  });

  it('every query of the dashboard names served metrics only', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/metsony.json'), 'utf8')) as { panels: Panel[] };
    const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(5);
    for (const panel of panels) {
      expect(panel.targets?.length, `panel "${panel.title}" has queries`).toBeGreaterThan(0);
      for (const { expr } of panel.targets!) {
        const names = metricNames(expr);
        expect(names.length, `a metric in ${expr}`).toBeGreaterThan(0);
        for (const name of names) expect(served.has(name), `panel "${panel.title}": ${name} is not served`).toBe(true);
      }
    }
  });

  it('every alert names served metrics only (or Prometheus’s own `up`)', () => {
    const text = fs.readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8');
    const alerts = [...text.matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]);
    const exprs = [...text.matchAll(/^\s*expr: (.+)$/gm)].map((m) => m[1]!);
    expect(alerts).toEqual(expect.arrayContaining(['MetsonyNotReady', 'MetsonyEventLoopDelay', 'MetsonyServerErrors']));
    expect(exprs).toHaveLength(alerts.length);
    for (const expr of exprs) {
      const names = metricNames(expr);
      expect(names.length, `a metric in ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(served.has(name) || PROMETHEUS_OWN.has(name), `${name} in ${expr}`).toBe(true);
    }
  });
});
