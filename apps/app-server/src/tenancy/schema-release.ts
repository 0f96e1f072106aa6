import type { TenantRef } from '@mysaas/tenancy';
import type { TenantTransaction } from '@mysaas/db';
import { TenancyException, TenancyExceptionCode } from './tenancy.exception';

/** How long a schema's release is trusted once read (a fleet migration shows within this). */
const KNOWN_MS = 30_000;
/** How long a refusal is remembered: short, so that a tenant migrated meanwhile is served at once. */
const REFUSED_MS = 2_000;

/**
 * Releases are written expand/contract (docs/extending.md): release N's code runs on a schema
 * at release N or N+1. An app server of release N refuses a tenant whose schema is at any
 * other release, with what to do, instead of failing on a missing or changed table mid-request.
 * A schema's release is the newest release among the migrations it has run, read in the
 * request's own transaction once per tenant and remembered for a while.
 */
export class SchemaReleaseCheck {
  private readonly known = new Map<string, { release: number; until: number }>();

  constructor(
    private readonly serving: { name: string; release: number },
    private readonly now: () => number = Date.now,
  ) {}

  async check(tenant: TenantRef, transaction: TenantTransaction): Promise<void> {
    let entry = this.known.get(tenant.id);
    if (entry === undefined || entry.until <= this.now()) {
      const rows = (await transaction.manager.query('SELECT coalesce(max(release), 0) AS release FROM schema_migrations')) as Array<{ release: number }>;
      const release = Number(rows[0]!.release);
      entry = { release, until: this.now() + (this.supports(release) ? KNOWN_MS : REFUSED_MS) };
      this.known.set(tenant.id, entry);
    }
    if (!this.supports(entry.release)) {
      const { name, release } = this.serving;
      throw new TenancyException(
        TenancyExceptionCode.SCHEMA_RELEASE_UNSUPPORTED,
        entry.release < release
          ? `the workspace's data is at release ${entry.release}, and pool ${name} runs release ${release} (it serves releases ${release} and ${release + 1}): an operator runs \`saas migrate --pool ${name}\``
          : `the workspace's data is at release ${entry.release}, newer than pool ${name}'s release ${release} serves (${release} and ${release + 1}): it belongs on a pool of a newer release`,
      );
    }
  }

  private supports(schemaRelease: number): boolean {
    return schemaRelease === this.serving.release || schemaRelease === this.serving.release + 1;
  }
}
