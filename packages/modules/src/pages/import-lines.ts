/**
 * The import form's text as the rows of an import: one link per line, `url` or `url,code`.
 * Codes never contain a comma, so the last comma on a line starts its code; a line ending in
 * a comma has none (that is how a URL with a comma in it is written). Blank lines are skipped.
 * The rows are judged like the JSON API's, by LinkImportsService and the import job.
 */
export function parseImportLines(text: string): Array<{ url: string; code?: string }> {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const comma = line.lastIndexOf(',');
      if (comma === -1) return { url: line };
      const url = line.slice(0, comma).trim();
      const code = line.slice(comma + 1).trim();
      return code === '' ? { url } : { url, code };
    });
}
