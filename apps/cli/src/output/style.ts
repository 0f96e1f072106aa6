/** The only styling `saas` does; callers apply it only when stdout is a terminal. */
export const bold = (text: string): string => `\u001b[1m${text}\u001b[22m`;
