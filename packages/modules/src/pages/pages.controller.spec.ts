import { JobBacklogFullError, type AuthenticatedUser } from '@mysaas/tenant-runtime';
import type { SessionsService } from '../auth/sessions.service';
import type { LinkImportsService } from '../links/link-imports.service';
import { LinkException, LinkExceptionCode } from '../links/links.exception';
import type { LinksService } from '../links/links.service';
import { PagesController } from './pages.controller';

describe('the import form (POST /links/imports)', () => {
  const start = jest.fn();
  const controller = new PagesController({} as SessionsService, {} as LinksService, { start } as unknown as LinkImportsService);
  const user: AuthenticatedUser = { id: 'user-1', email: 'a@acme.test', sessionId: 's' };

  afterEach(() => start.mockReset());

  it('starts an import of the pasted lines as the signed-in user, then shows the links page', async () => {
    start.mockResolvedValue({ id: 'i', status: 'queued', total: 2 });
    await expect(controller.importLinks({ lines: 'https://a.example/,abc\n\nhttps://b.example/' }, user)).resolves.toEqual({ url: '/' });
    expect(start).toHaveBeenCalledWith([{ url: 'https://a.example/', code: 'abc' }, { url: 'https://b.example/' }], 'user-1');
  });

  it('sends the form back with the refusal code when the service or the job queue refuses', async () => {
    start.mockRejectedValueOnce(new LinkException(LinkExceptionCode.IMPORT_EMPTY, 'links is empty'));
    await expect(controller.importLinks({ lines: ' \n ' }, user)).resolves.toEqual({ url: '/links/imports/new?error=LINK_IMPORT_EMPTY' });
    start.mockRejectedValueOnce(new JobBacklogFullError('acme', 10));
    await expect(controller.importLinks({ lines: 'https://a.example/' }, user)).resolves.toEqual({ url: '/links/imports/new?error=JOB_BACKLOG_FULL' });
  });

  it('lets any other failure through, to the error page', async () => {
    start.mockRejectedValueOnce(new Error('database unavailable'));
    await expect(controller.importLinks({ lines: 'https://a.example/' }, user)).rejects.toThrow('database unavailable');
  });

  it('refuses a field sent twice without starting anything', async () => {
    await expect(controller.importLinks({ lines: ['a', 'b'] }, user)).resolves.toEqual({ url: '/links/imports/new?error=LINK_IMPORT_MALFORMED' });
    expect(start).not.toHaveBeenCalled();
  });
});
