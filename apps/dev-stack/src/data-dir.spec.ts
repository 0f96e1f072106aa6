import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultDataDir, repoRoot } from './data-dir';

describe('the default data folder', () => {
  it('is .mysaas at the repository root, not inside a package that has its own turbo.json', () => {
    const root = resolve(__dirname, '../../..');
    expect(existsSync(join(__dirname, '../turbo.json'))).toBe(true);
    expect(repoRoot(__dirname)).toBe(root);
    expect(defaultDataDir()).toBe(join(root, '.mysaas'));
  });
});
