// Parses every ```mermaid block of the Markdown files given (or a whole file ending in .mmd) with
// the `mermaid` package's own parser, `mermaid.parse()`, the code GitHub's renderer runs before
// drawing. It needs a DOM (mermaid sanitizes labels with DOMPurify), which jsdom provides: no
// browser. Prints one line per diagram; exits 1 if any fails to parse.
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
for (const k of ['window', 'document', 'navigator', 'Element', 'HTMLElement', 'DOMParser', 'Node']) {
  if (!(k in globalThis)) {
    Object.defineProperty(globalThis, k, { value: dom.window[k], configurable: true, writable: true });
  }
}
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const blocks = file.endsWith('.mmd')
    ? [text]
    : [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length === 0) {
    failed++;
    console.log(`FAIL  ${file}: no mermaid diagram`);
  }
  for (const [i, block] of blocks.entries()) {
    try {
      const r = await mermaid.parse(block);
      console.log(`ok    ${file}#${i + 1} (${r && r.diagramType})`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${file}#${i + 1}: ${String((e && e.message) || e).replace(/\n/g, ' | ')}`);
    }
  }
}
process.exit(failed ? 1 : 0);
