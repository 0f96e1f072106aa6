import type { IncomingMessage } from 'node:http';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';

/**
 * Reads a whole request body that must be small (a sign-in), counting while it streams:
 * past `maxBytes` it stops reading and refuses with 413.
 */
export function readSmallBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new GatewayException(GatewayExceptionCode.BODY_TOO_LARGE, `request body is larger than ${maxBytes} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) return reject(tooLarge());
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.pause();
        return reject(tooLarge());
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client went away before sending its whole body'));
    });
  });
}
