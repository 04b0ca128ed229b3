import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

/**
 * Writes one section of bench/RESULTS.md, for the benches that run as scripts of their own
 * (slow consumer, duplex echo, hostile client): in place of the earlier section whose heading
 * starts with `## <numbered title>`, else before the Method section, else at the end.
 */
export function writeResultsSection(numberedTitle: string, section: string): void {
  const markdown = readFileSync(RESULTS, 'utf8');
  const escaped = numberedTitle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const existing = new RegExp(`^## ${escaped}[^\\n]*\\n[\\s\\S]*?(?=^## |(?![\\s\\S]))`, 'm');
  const written = existing.test(markdown)
    ? markdown.replace(existing, () => `${section}\n`)
    : /^## Method/m.test(markdown)
      ? markdown.replace(/^## Method/m, () => `${section}\n## Method`)
      : `${markdown.trimEnd()}\n\n${section}`;
  writeFileSync(RESULTS, written);
}
