import { checkUpstream } from './upstream';

describe('checkUpstream', () => {
  it.each([
    ['http://127.0.0.1:3201', { protocol: 'http:', hostname: '127.0.0.1', port: 3201, origin: 'http://127.0.0.1:3201' }],
    ['http://app-v1.internal:3201/', { protocol: 'http:', hostname: 'app-v1.internal', port: 3201, origin: 'http://app-v1.internal:3201' }],
    ['https://10.0.0.5', { protocol: 'https:', hostname: '10.0.0.5', port: 443, origin: 'https://10.0.0.5' }],
    ['http://[::1]:3201', { protocol: 'http:', hostname: '[::1]', port: 3201, origin: 'http://[::1]:3201' }],
  ])('accepts %s', (input, upstream) => {
    expect(checkUpstream(input)).toEqual({ ok: true, upstream });
  });

  it.each([
    ['http://10.0.0.5:3201/prefix', 'only scheme, host and port'],
    ['http://10.0.0.5:3201/?x=1', 'only scheme, host and port'],
    ['http://user:pw@10.0.0.5:3201', 'only scheme, host and port'],
    ['ftp://10.0.0.5', 'http or https'],
    ['10.0.0.5:3201', 'not a URL'],
    ['not a url', 'not a URL'],
    ['', 'must be a URL'],
  ])('refuses %j (%s)', (input, reason) => {
    const check = checkUpstream(input);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });
});
