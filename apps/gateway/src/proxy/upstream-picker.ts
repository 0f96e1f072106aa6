/** Round-robin over a pool's upstreams; one counter per pool. */
export class UpstreamPicker {
  private readonly next = new Map<string, number>();

  /** The upstreams in the order to try them: the next in turn first, then the rest. */
  order<T>(pool: string, upstreams: readonly T[]): T[] {
    if (upstreams.length <= 1) return [...upstreams];
    const start = (this.next.get(pool) ?? 0) % upstreams.length;
    this.next.set(pool, start + 1);
    return [...upstreams.slice(start), ...upstreams.slice(0, start)];
  }
}
