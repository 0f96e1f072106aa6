const escape = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The error page's only style block; the CSP allows it by hash. */
export const ERROR_PAGE_STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#f6f7f9;color:#1d2433;margin:0}
main{max-width:36rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.muted{color:#667085;font-size:.85rem}`;

/** The page a browser sees when the gateway itself refuses a request. */
export function errorPage(status: number, title: string, message: string, requestId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${status} · ${escape(title)}</title>
<style>${ERROR_PAGE_STYLE}</style></head>
<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p>
<p class="muted">Error ${status} · request ${escape(requestId)}</p></main></body></html>`;
}
