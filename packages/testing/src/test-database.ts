import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { ident } from '@mysaas/db';
import { testServerUrl, withUrlParts } from './test-server';

export interface TestDatabase {
  name: string;
  /** Superuser URL of this database. */
  url: string;
  /** Superuser pool on this database. */
  pool: Pool;
  drop(): Promise<void>;
}

export const randomSuffix = (bytes = 4): string => randomBytes(bytes).toString('hex');

/** A fresh, empty database on the test server; drop() removes it even with open connections. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = testServerUrl();
  const name = `mt_${label}_${randomSuffix()}`;
  const admin = new Pool({ connectionString: server, max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${ident(name)}`);
  } finally {
    await admin.end();
  }
  const url = withUrlParts(server, { database: name });
  const pool = new Pool({ connectionString: url, max: 5 });
  // pg-pool's end() resolves once it has asked its idle clients to close, not once they have:
  // DROP DATABASE … WITH (FORCE) can then terminate one still closing, and the pool re-emits
  // that client's error. Without a listener that failed a suite whose tests had all passed.
  pool.on('error', () => undefined);
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      const dropper = new Pool({ connectionString: server, max: 1 });
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
