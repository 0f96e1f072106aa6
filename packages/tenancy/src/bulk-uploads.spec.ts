import { isBulkUpload } from './bulk-uploads';

describe('bulk uploads', () => {
  it('are the POSTs to an imports route under a module of the API', () => {
    expect(isBulkUpload('POST', '/api/links/imports')).toBe(true);
    expect(isBulkUpload('POST', '/api/links/imports?dry=1')).toBe(true);
    expect(isBulkUpload('POST', '/api/crm/contacts/imports/')).toBe(true);
  });

  it('are nothing else: other methods, other routes, lookalikes', () => {
    expect(isBulkUpload('GET', '/api/links/imports')).toBe(false);
    expect(isBulkUpload('PUT', '/api/links/imports')).toBe(false);
    expect(isBulkUpload('POST', '/api/links')).toBe(false);
    expect(isBulkUpload('POST', '/api/links/imports/123')).toBe(false);
    expect(isBulkUpload('POST', '/auth/imports')).toBe(false);
    expect(isBulkUpload('POST', '/api/links/imports/../../auth/login')).toBe(false);
    expect(isBulkUpload('POST', '/api/links/importsx')).toBe(false);
    expect(isBulkUpload('POST', '/API/links/imports')).toBe(false);
    expect(isBulkUpload(undefined, '/api/links/imports')).toBe(false);
  });
});
