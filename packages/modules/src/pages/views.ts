import { LINK_CODE_PATTERN } from '../links/link-code';
import type { Link } from '../links/link.entity';
import { MAX_IMPORT_ROWS, type LinkImportSummary } from '../links/link-imports.service';
import { isLinkTarget } from '../links/link-target';
import { escapeHtml, page } from './html';

export function loginPage(tenantName: string, error?: string): string {
  return page(
    `Sign in · ${tenantName}`,
    `<h1>Sign in to ${escapeHtml(tenantName)}</h1>
     ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
     <form method="post" action="/login">
       <label for="email">Email</label>
       <input id="email" name="email" type="email" autocomplete="username" required autofocus>
       <label for="password">Password</label>
       <input id="password" name="password" type="password" autocomplete="current-password" required>
       <button type="submit">Sign in</button>
     </form>`,
  );
}

/** While an import is queued or running the page reloads itself this often. */
export const IMPORT_REFRESH_SECONDS = 5;

export function linksPage(tenantName: string, email: string, links: Link[], error?: string, imports: LinkImportSummary[] = []): string {
  const rows = links
    .map(
      (link) => `<tr><td><code>${escapeHtml(link.code)}</code></td>
        <td>${isLinkTarget(link.url) ? `<a href="${escapeHtml(link.url)}" rel="noopener noreferrer">${escapeHtml(link.url)}</a>` : escapeHtml(link.url)}</td>
        <td class="muted">${escapeHtml(link.createdAt.toISOString().slice(0, 16).replace('T', ' '))}</td></tr>`,
    )
    .join('');
  return page(
    `Links · ${tenantName}`,
    `<header><h1>${escapeHtml(tenantName)} links</h1>
       <form class="inline" method="post" action="/logout"><span class="muted">${escapeHtml(email)}</span>
       <button type="submit">Sign out</button></form></header>
     ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
     <form method="post" action="/links">
       <label for="url">New link</label>
       <input id="url" name="url" type="url" placeholder="https://example.com/launch" required>
       <label for="code">Short code <span class="muted">(optional)</span></label>
       <input id="code" name="code" pattern="${escapeHtml(LINK_CODE_PATTERN.source)}"
         title="3 to 32 letters, digits, - or _" placeholder="launch">
       <button type="submit">Create link</button>
     </form>
     <p><a href="/links/imports/new">Import many links at once</a></p>
     ${importsSection(imports)}
     ${
       links.length === 0
         ? '<p class="muted">No links yet.</p>'
         : `<table><thead><tr><th>Code</th><th>Target</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>`
     }`,
    imports.some(inProgress) ? { refreshSeconds: IMPORT_REFRESH_SECONDS } : {},
  );
}

const inProgress = (summary: LinkImportSummary) => summary.status === 'queued' || summary.status === 'running';

function importsSection(imports: LinkImportSummary[]): string {
  if (imports.length === 0) return '';
  const count = (n: number) => n.toLocaleString('en');
  const rows = imports
    .map((summary) => {
      const done = summary.imported + summary.skipped + summary.failed;
      return `<tr><td class="muted">${escapeHtml(when(summary.createdAt))}</td>
        <td>${escapeHtml(summary.status)}</td>
        <td><progress value="${done}" max="${summary.total}">${count(done)} of ${count(summary.total)}</progress>
          <span class="muted">${count(summary.imported)} imported, ${count(summary.skipped)} skipped, ${count(summary.failed)} failed of ${count(summary.total)}</span></td>
        <td>${summary.failed > 0 ? `<a href="/api/links/imports/${escapeHtml(summary.id)}">errors</a>` : ''}</td></tr>`;
    })
    .join('');
  return `<h2>Imports</h2>
     ${imports.some(inProgress) ? `<p class="muted">This page refreshes every ${IMPORT_REFRESH_SECONDS} seconds while an import runs.</p>` : ''}
     <table><thead><tr><th>Started</th><th>Status</th><th>Progress</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function when(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** The import form, on a page of its own: the links page reloads itself while an import runs, which would wipe a paste. */
export function importPage(tenantName: string, error?: string): string {
  return page(
    `Import links · ${tenantName}`,
    `<header><h1>Import links</h1><a href="/">Back to links</a></header>
     ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
     <form method="post" action="/links/imports">
       <label for="lines">Links, one per line</label>
       <textarea id="lines" name="lines" rows="12" required
         placeholder="https://example.com/spring,spring-sale&#10;https://example.com/summer"></textarea>
       <p class="muted">A URL, or a URL, a comma and a short code (without one, a code is made for you). A URL that
         contains a comma needs a comma at the end of its line. Up to ${MAX_IMPORT_ROWS.toLocaleString('en')} lines; blank
         lines are skipped, and rows are numbered without them. Rows that cannot be imported are listed with the reason;
         the others are imported.</p>
       <button type="submit">Import</button>
     </form>`,
  );
}
