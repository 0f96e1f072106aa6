import { readdirSync } from 'node:fs';
import { BusinessModules } from './business.module';
import { LINK_IMPORT_JOB } from './links/link-import.job';
import { LinksModule } from './links/links.module';
import { BUSINESS_MODULES } from './registry';

describe('the business module registry', () => {
  it("gives the app server every registered Nest module, in the registry's order", async () => {
    const loaded = await BusinessModules.load();
    expect(loaded.module).toBe(BusinessModules);
    const expected = await Promise.all(BUSINESS_MODULES.flatMap((entry) => (entry.nest ? [entry.nest()] : [])));
    expect(loaded.imports).toEqual(expected);
    expect(loaded.imports).toContain(LinksModule);
  });

  it('gives the tenant schema every registered module with tables, in the registry order', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { TENANT_SCHEMA } = require('./schema') as typeof import('./schema');
      const withTables = BUSINESS_MODULES.flatMap((entry) => (entry.schema ? [entry.schema.module] : []));
      expect(TENANT_SCHEMA.map((part) => part.module)).toEqual(withTables);
      expect(withTables.slice(0, 2)).toEqual(['auth', 'links']);
    });
  });

  it('lets the control plane, the CLI and the mover read the schema without loading a Nest module', () => {
    jest.isolateModules(() => {
      // Every *.module.ts of the package, whatever modules are added later.
      const nestModules = readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.module.ts'));
      expect(nestModules.length).toBeGreaterThan(1);
      for (const file of nestModules) {
        jest.doMock(`./${file.replace(/\.ts$/, '')}`, () => {
          throw new Error(`${file} was loaded with the schema`);
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require('./schema')).not.toThrow();
    });
  });

  it("gives the worker every module's jobs, found by the name they are enqueued under", async () => {
    const registry = await BusinessModules.jobs();
    expect(registry.find('links.import')).toBe(LINK_IMPORT_JOB);
    expect(registry.names).toContain(LINK_IMPORT_JOB.name);
  });

  it('names each module once', () => {
    const names = BUSINESS_MODULES.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
