import { requiresSession } from './session-routes';

describe('requiresSession', () => {
  it.each(['/api/me', '/api/links', '/api', '/api/', '/auth/logout', '/auth/logout/', '/API/me', '/Auth/Logout'])('protects %s', (path) => {
    expect(requiresSession(path)).toBe(true);
  });

  it.each(['/', '/login', '/auth/login', '/apiary', '/l/abc', '/auth/logoutx'])('lets %s through anonymous', (path) => {
    expect(requiresSession(path)).toBe(false);
  });
});
