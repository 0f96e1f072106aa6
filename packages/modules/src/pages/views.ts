import { LINK_CODE_PATTERN } from '../links/link-code';
import type { Link } from '../links/link.entity';
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

export function linksPage(tenantName: string, email: string, links: Link[], error?: string): string {
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
     ${
       links.length === 0
         ? '<p class="muted">No links yet.</p>'
         : `<table><thead><tr><th>Code</th><th>Target</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>`
     }`,
  );
}
