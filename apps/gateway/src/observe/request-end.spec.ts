import { routeGroup } from './request-end';

describe('routeGroup', () => {
  it('labels a path by its group, whatever its case or depth', () => {
    expect(['/', '/api/me', '/API/links/abc', '/auth/login', '/login', '/l/abc123'].map(routeGroup)).toEqual(['/', '/api', '/api', '/auth', '/login', '/l']);
  });

  it('puts every other path under one label, so a scan of random paths adds no series', () => {
    expect(['/wp-admin', '/apix', '/random-1', '/random-2', '/loginx'].map(routeGroup)).toEqual(Array(5).fill('other'));
  });
});
