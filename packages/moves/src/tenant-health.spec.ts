import { DEFAULT_REGRESSION_POLICY, healthWindow, judge, parsePrometheusText, PrometheusHealthSource } from './tenant-health';

const policy = { ...DEFAULT_REGRESSION_POLICY, minRequests: 5 };
const window = (requests: number, errors: number, seconds: number) => ({ requests, errors, seconds, windowMs: 1000 });

describe('judging a tenant after its move against itself before', () => {
  it('calls a jump in its 5xx share a regression, and says by how much', () => {
    const verdict = judge(window(100, 1, 2), window(20, 12, 0.4), policy);
    expect(verdict).toEqual({ regressed: true, judged: true, reasons: ['error rate 1.0% → 60.0% (12 of 20 requests answered 5xx)'] });
  });

  it('calls a latency that more than doubled (and by more than 50 ms) a regression', () => {
    expect(judge(window(50, 0, 0.5), window(50, 0, 10), policy)).toMatchObject({ regressed: true, reasons: ['mean latency 10.0 ms → 200.0 ms'] });
    // Doubled, but by 10 ms only: jitter, not a regression.
    expect(judge(window(50, 0, 0.5), window(50, 0, 1), policy).regressed).toBe(false);
  });

  it('does not judge a tenant with too little traffic after its move', () => {
    expect(judge(window(100, 0, 1), window(2, 2, 0.1), policy)).toMatchObject({ regressed: false, judged: false });
  });

  it('accepts the same health as before', () => {
    expect(judge(window(100, 2, 3), window(90, 2, 2.7), policy)).toEqual({ regressed: false, judged: true, reasons: [] });
  });

  it('takes a counter that went down (a restarted gateway) as counted from zero', () => {
    expect(healthWindow({ requests: 100, errors: 5, seconds: 3 }, { requests: 7, errors: 0, seconds: 0.2 }, 1000)).toEqual(window(7, 0, 0.2));
  });
});

describe('reading tenants from Prometheus text', () => {
  const text = [
    '# HELP mysaas_http_requests_total HTTP requests answered',
    '# TYPE mysaas_http_requests_total counter',
    'mysaas_http_requests_total{app="gateway",tenant="acme",pool="v1",route="api",status="200"} 40',
    'mysaas_http_requests_total{app="gateway",tenant="acme",pool="v2",route="api",status="503"} 3',
    'mysaas_http_requests_total{app="gateway",tenant="globex",pool="v1",route="api",status="200"} 9',
    'mysaas_http_request_duration_seconds_sum{app="gateway",tenant="acme",pool="v1",route="api",status="200"} 1.5',
    'mysaas_http_request_duration_seconds_bucket{app="gateway",tenant="acme",le="0.1"} 12',
  ].join('\n');

  it('parses names, labels (escapes too) and values', () => {
    expect(parsePrometheusText('x_total{a="q\\"uote",b="2"} 3\n')).toEqual([{ name: 'x_total', labels: { a: 'q"uote', b: '2' }, value: 3 }]);
  });

  it('sums each tenant over pools, routes and endpoints, 5xx counted apart', async () => {
    const source = new PrometheusHealthSource(['http://a/metrics', 'http://b/metrics'], async () => text);
    const sample = await source.sample(['acme', 'initech']);
    expect(sample.get('acme')).toEqual({ requests: 86, errors: 6, seconds: 3 });
    expect(sample.get('initech')).toEqual({ requests: 0, errors: 0, seconds: 0 });
    expect(sample.has('globex')).toBe(false);
  });
});
