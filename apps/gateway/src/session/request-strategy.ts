import { Strategy } from 'passport-strategy';
import type { Request } from 'express';

type Done = (error: unknown, user?: unknown) => void;
type Verify = (req: Request, done: Done) => void;

/**
 * A passport strategy that hands the whole request to its verify callback (the
 * PassportStrategy mixin's `validate`), for credentials that are neither a form nor a bearer
 * token: here, a signed cookie whose tenant must match the Host.
 */
export class RequestStrategy extends Strategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(req: Request): void {
    this.verify(req, (error, user) => {
      if (error) return this.error(error as Error);
      if (!user) return this.fail(401);
      return this.success(user);
    });
  }
}
