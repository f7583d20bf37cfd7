/**
 * A small Markdown-to-HTML renderer for the generated documents: headings, paragraphs, bullet
 * lists, pipe tables, inline code and relative links — the subset the generators write. Deterministic, so the HTML
 * can be committed and checked like the Markdown.
 */
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function inline(s: string): string {
  // `<br>` is the only HTML the generators put in a cell.
  return escapeHtml(s)
    .replace(/&lt;br&gt;/g, '<br>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

function cells(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

export function markdownToHtml(md: string, title: string): string {
  const out: string[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      out.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
    } else if (line.startsWith('| ')) {
      const head = cells(line);
      i++; // the --- row
      const rows: string[][] = [];
      while (i + 1 < lines.length && lines[i + 1]!.startsWith('| ')) rows.push(cells(lines[++i]!));
      out.push(
        '<table>',
        `<thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead>`,
        '<tbody>',
        ...rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`),
        '</tbody>',
        '</table>',
      );
    } else if (line.startsWith('- ')) {
      const items = [line];
      while (i + 1 < lines.length && lines[i + 1]!.startsWith('- ')) items.push(lines[++i]!);
      out.push('<ul>', ...items.map((it) => `<li>${inline(it.slice(2))}</li>`), '</ul>');
    } else if (line.trim() !== '') {
      const para = [line];
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== '' && !/^(#|\| |- )/.test(lines[i + 1]!))
        para.push(lines[++i]!);
      out.push(`<p>${inline(para.join(' '))}</p>`);
    }
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;line-height:1.4}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:.2em .5em;vertical-align:top;text-align:left}code{background:#eee}</style>',
    '</head>',
    '<body>',
    ...out,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
