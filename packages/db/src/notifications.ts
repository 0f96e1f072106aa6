import { Client } from 'pg';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

export interface NotificationListenerOptions {
  url: string;
  /** A plain lower-case channel name (it is written into LISTEN as it is). */
  channel: string;
  applicationName: string;
  onNotification(payload: string): void;
  /** Listening, at first and after each reconnect: whatever was sent while it was not is gone. */
  onListening(): void;
  /** The connection was lost or could not be made; it tries again in `retryInMs` (doubling up to 10 s). */
  onLost(error: unknown, retryInMs: number): void;
}

export interface NotificationListener {
  /** Settles after the first attempt to listen, made or not (a failed one is retried). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * LISTENs on a connection of its own until closed, and reconnects when the connection is lost.
 * Notifications are hints: one sent while it was not listening is lost, which `onListening`
 * says, so the caller can catch up then (the gateways drop their routing cache; the job
 * dispatcher reads its store).
 */
export function listenForNotifications(options: NotificationListenerOptions): NotificationListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`a notification channel is a plain lower-case name, not ${options.channel}`);
  let client: Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;

  const drop = (from: Client): Promise<void> => {
    from.removeAllListeners();
    from.on('error', () => undefined);
    return from.end().catch(() => undefined);
  };
  const lost = (from: Client, error?: unknown): void => {
    if (closed || (client !== undefined && client !== from)) return;
    client = undefined;
    void drop(from);
    if (retry) return;
    options.onLost(error, retryMs);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };
  const connect = async (): Promise<void> => {
    const next = new Client({ connectionString: options.url, application_name: options.applicationName });
    next.on('notification', (message) => options.onNotification(message.payload ?? ''));
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
    } catch (error) {
      lost(next, error);
      return;
    }
    if (closed) {
      await drop(next);
      return;
    }
    client = next;
    retryMs = FIRST_RETRY_MS;
    options.onListening();
  };

  const ready = connect();
  return {
    ready,
    close: async () => {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      if (current) await drop(current);
    },
  };
}
