import type { LinkDetails } from './link-details.entity';
import type { Repository } from 'typeorm';
import type { Link } from './link.entity';
import { LinksService } from './links.service';

describe('LinksService.create', () => {
  // A repository that fails the test if used: bad input must be refused before any query.
  const createQueryBuilder = jest.fn(() => {
    throw new Error('reached the database');
  });
  const service = new LinksService({ createQueryBuilder } as unknown as Repository<Link>, {} as Repository<LinkDetails>);

  afterEach(() => createQueryBuilder.mockClear());

  it.each([
    [{ url: 'https://example.com', code: 'a'.repeat(33) }, 'LINK_INVALID_CODE'],
    [{ url: 'https://example.com', code: 'a/b' }, 'LINK_INVALID_CODE'],
    [{ url: 'https://example.com', code: '<svg/onload=alert(1)>' }, 'LINK_INVALID_CODE'],
    [{ url: 'javascript:alert(1)', code: 'fine-code' }, 'LINK_INVALID_URL'],
    [{ url: '' }, 'LINK_INVALID_URL'],
  ])('refuses %j with %s without querying', async (input, code) => {
    await expect(service.create(input, 'user-id')).rejects.toMatchObject({ code });
    expect(createQueryBuilder).not.toHaveBeenCalled();
  });
});
