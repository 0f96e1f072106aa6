import { requiresSession } from './session-routes';

describe('requiresSession', () => {
  it.each(['/api/me', '/api/links', '/api', '/auth/logout'])('protects %s', (path) => {
    expect(requiresSession(path)).toBe(true);
  });

  it.each(['/', '/login', '/auth/login', '/apiary', '/l/abc', '/auth/logoutx'])('lets %s through anonymous', (path) => {
    expect(requiresSession(path)).toBe(false);
  });
});
