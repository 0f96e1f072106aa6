import { BusinessModules } from './business.module';
import { LinksModule } from './links/links.module';
import { PagesModule } from './pages/pages.module';
import { BUSINESS_MODULES } from './registry';

describe('the business module registry', () => {
  it('gives the app server every registered Nest module', async () => {
    const loaded = await BusinessModules.load();
    expect(loaded.module).toBe(BusinessModules);
    expect(loaded.imports).toEqual([LinksModule, PagesModule]);
  });

  it('gives the tenant schema every registered module with tables, in the registry order', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { TENANT_SCHEMA } = require('./schema') as typeof import('./schema');
      expect(TENANT_SCHEMA.map((part) => part.module)).toEqual(BUSINESS_MODULES.filter((entry) => entry.schema).map((entry) => entry.schema!.module));
      expect(TENANT_SCHEMA.map((part) => part.module)).toEqual(['auth', 'links']);
    });
  });

  it('lets the control plane, the CLI and the mover read the schema without loading a controller', () => {
    jest.isolateModules(() => {
      const refuse = () => {
        throw new Error('a Nest module was loaded with the schema');
      };
      jest.doMock('./links/links.module', refuse);
      jest.doMock('./pages/pages.module', refuse);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require('./schema')).not.toThrow();
    });
  });

  it('names each module once', () => {
    const names = BUSINESS_MODULES.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
