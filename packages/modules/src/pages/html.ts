/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The pages' only style block; the CSP allows it by hash. */
export const PAGE_STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2433; }
  main { max-width: 44rem; margin: 3rem auto; background: #fff; padding: 2rem 2.5rem; border-radius: 12px;
         box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  h1 { margin-top: 0; font-size: 1.5rem; }
  label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
  input, textarea { width: 100%; box-sizing: border-box; padding: .55rem .7rem; border: 1px solid #c9ced8; border-radius: 6px; font: inherit; }
  h2 { margin: 2rem 0 .5rem; font-size: 1.15rem; }
  progress { width: 100%; }
  button { margin-top: 1rem; padding: .55rem 1.2rem; border: 0; border-radius: 6px; background: #3451d1; color: #fff; font: inherit; cursor: pointer; }
  .error { background: #fdecec; color: #8a1c1c; padding: .6rem .8rem; border-radius: 6px; }
  .muted { color: #667085; font-size: .9rem; }
  table { width: 100%; border-collapse: collapse; margin-top: 1rem; }
  td, th { text-align: left; padding: .4rem .3rem; border-bottom: 1px solid #eceef2; word-break: break-all; }
  header { display: flex; justify-content: space-between; align-items: baseline; }
  .inline { display: inline; } .inline button { margin: 0; background: #667085; }
`;

/** `refreshSeconds`: the browser reloads the page after that long (a meta refresh: no script, which the CSP forbids). */
export function page(title: string, body: string, options: { refreshSeconds?: number } = {}): string {
  const refresh = options.refreshSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${Math.trunc(options.refreshSeconds)}">`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head>
<body><main>${body}</main></body>
</html>`;
}
