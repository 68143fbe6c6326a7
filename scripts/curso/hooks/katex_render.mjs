// Renders TeX to HTML with KaTeX for scripts/curso/hooks/math_hook.py, one formula per line.
//
// Protocol (UTF-8, one JSON object per line):
//   stdin:  {"tex": "\\hat{y}", "display": false}
//   stdout: {"html": "<span class=\"katex\">…"}            on success
//           {"error": "KaTeX parse error: …"}              on a bad formula
// Warnings from KaTeX's strict mode come back in "warnings" (a list of strings).
// The process lives for the whole MkDocs build; it exits when stdin closes.
import { createInterface } from "node:readline";
import katex from "katex";

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });

for await (const line of lines) {
  if (!line.trim()) continue;
  const warnings = [];
  let reply;
  try {
    const { tex, display } = JSON.parse(line);
    const html = katex.renderToString(tex, {
      displayMode: Boolean(display),
      output: "htmlAndMathml",
      throwOnError: true,
      trust: false,
      strict: (code, message) => {
        warnings.push(`${code}: ${message}`);
        return "ignore";
      },
    });
    reply = { html, warnings };
  } catch (err) {
    reply = { error: String(err && err.message ? err.message : err), warnings };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
