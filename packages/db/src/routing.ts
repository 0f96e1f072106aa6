import { encodeRoutingChange, ROUTING_CHANNEL, type RoutingChange } from '@mysaas/tenancy';
import type { Queryable } from './sql';

/**
 * Tells every gateway that routing changed (LISTEN/NOTIFY: no Redis needed). Call it inside
 * the transaction that makes the change: Postgres delivers the message exactly when it commits.
 */
export async function announceRoutingChange(db: Queryable, change: RoutingChange): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [ROUTING_CHANNEL, encodeRoutingChange(change)]);
}
