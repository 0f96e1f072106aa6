import { getPriority, setPriority } from 'node:os';

/**
 * Lowers a process's CPU priority to the niceness `nice` (ADR 16, "A dispatcher that yields the
 * CPU"), and returns the niceness it then runs at. It never raises a priority: a process
 * started at a higher niceness (nice(1), a container's setting) keeps it, and 0 leaves it as it
 * is. Throws what the system said when it may not (the dispatcher then runs as it was).
 */
export function lowerPriority(nice: number, pid = 0): number {
  const current = getPriority(pid);
  if (nice <= current) return current;
  setPriority(pid, nice);
  return getPriority(pid);
}
