import { ROUTING_CHANNEL, type Queryable } from '@mysaas/db';

/**
 * Tells every gateway that routing changed (LISTEN/NOTIFY: no Redis needed). Called inside
 * the transaction that makes the change, so the message goes out exactly when it commits.
 * Payload: a tenant slug, or `pool:<name>` when a whole pool's routing changed.
 */
export async function notifyRoutingChange(db: Queryable, payload: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [ROUTING_CHANNEL, payload]);
}
