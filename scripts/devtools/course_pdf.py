"""`make pdf`: the whole course as two PDFs, printed by the Chromium the tests use.

    python -m devtools.course_pdf [--site site] [--lessons 01 02 ...]

It lives in devtools, not in the build: like the speed budget, it drives a browser over a site that
is already built (the build never imports devtools, and a plain `mkdocs build` stays as fast as
before). The site is served on 127.0.0.1 the way GitHub Pages serves it; the home page is opened and
its article replaced by a cover, a table of contents and every lesson's article, fetched from the
built lesson pages (ids prefixed per lesson so that anchors stay unique, links between lessons turned
into links inside the PDF, links to other pages pointed at the published site). Chromium prints it
with the site's own print style sheet (docs/stylesheets/print.css) twice per edition: the first print
tells, through `pdftotext`, on which page each lesson starts; the second has those numbers in the
table of contents (and is checked to still agree with them).

- `curso.pdf`, the student's edition: exercise solutions stay collapsed and the self-check answers
  (`.autoteste-resposta`) are left out, so the questions can be answered on paper.
- `curso-professor.pdf`, the teacher's edition: every solution open and the self-check answer key.

The files go to `site/pdf/` (layout.PDF), so the Pages workflow publishes them with the site.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page, async_playwright

from curso.pipeline import layout
from devtools.chromium import CHROMIUM, CHROMIUM_ARGS, FONTS_READY, LOAD_EVERY_IMAGE, open_started, run_in_page
from devtools.static_server import page_urls, serving

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"  # what `make site` builds and the Pages workflow publishes
LESSON_URL = re.compile(rf"{layout.PAGES}/(\d\d)-[^/]+/")
PDF_TEXT = "pdftotext"  # Debian's poppler-utils (`make pdf` installs it when missing)
MARGINS = {"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
SOLUTION = "details.success"  # the lessons' `??? success "Solução"` collapsibles (README)
# Chromium stamps each PDF with the time it printed it; the course is the same whenever it is printed.
# The digits are replaced in place (same length: the PDF's byte offsets stay valid).
PRINT_TIME = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)\d{14}")
FIXED_TIME = rb"\g<1>19800101000000"  # the oldest date ZIP can store, the usual fixed time of reproducible builds
TOC_ATTEMPTS = 3  # a second print nearly always agrees with the first; a third is a safety margin


@dataclass(frozen=True)
class Edition:
    file: str  # site path, from layout
    label: str  # on the cover and in every footer
    teacher: bool


STUDENT = Edition(layout.COURSE_PDF, "Edição do estudante", teacher=False)
TEACHER = Edition(layout.TEACHER_PDF, "Edição do professor", teacher=True)
EDITIONS = (STUDENT, TEACHER)


class PdfError(Exception):
    """A problem the reader can fix (pt-BR message, no traceback)."""


# Runs in the home page: replaces its article with the cover, the table of contents and the
# lessons. Text from the pages goes in as text or as the parsed page's own nodes, never as HTML.
ASSEMBLE = """async ({chapters, teacher, edition}) => {
  const home = new URL(".", location.href);
  const published = document.querySelector('link[rel="canonical"]')?.href || home.href;
  const repository = document.querySelector("a.md-source")?.href;
  const siteName = document.title;
  const description = document.querySelector('meta[name="description"]')?.content || "";
  const parser = new DOMParser();
  const sources = await Promise.all(chapters.map(async chapter => {
    const response = await fetch(chapter.url);
    if (!response.ok) throw new Error(`${chapter.url}: ${response.status}`);
    return parser.parseFromString(await response.text(), "text/html");
  }));
  const byPath = new Map(chapters.map((chapter, index) => [new URL(chapter.url).pathname, index]));
  const prefix = index => `c${index + 1}-`;
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const localLink = (href, base) => {
    const url = new URL(href, base);
    if (url.origin !== location.origin) return href;
    const target = byPath.get(url.pathname);
    if (target !== undefined) {
      const fragment = decodeURIComponent(url.hash.slice(1));
      return "#" + (fragment ? prefix(target) + fragment : chapters[target].anchor);
    }
    const inSite = url.pathname.startsWith(home.pathname) ? url.pathname.slice(home.pathname.length) : "";
    return new URL(inSite + url.search + url.hash, published).href;
  };

  const chapter = (source, index) => {
    const info = chapters[index];
    const article = source.querySelector("article.md-content__inner");
    article.querySelectorAll(".md-content__button, .lesson-actions, .headerlink").forEach(node => node.remove());
    article.querySelectorAll("[id]").forEach(node => { node.id = prefix(index) + node.id; });
    for (const name of ["for", "aria-labelledby", "aria-describedby", "aria-controls"]) {
      article.querySelectorAll(`[${name}]`).forEach(node => node.setAttribute(name,
        node.getAttribute(name).split(/\\s+/).map(id => prefix(index) + id).join(" ")));
    }
    article.querySelectorAll("input[name]").forEach(node => { node.name = prefix(index) + node.name; });
    article.querySelectorAll("a[href]").forEach(link => { link.href = localLink(link.getAttribute("href"), info.url); });
    article.querySelectorAll("img[src]").forEach(img => { img.src = new URL(img.getAttribute("src"), info.url).href; img.loading = "eager"; });
    article.querySelectorAll("source[srcset]").forEach(node => { node.srcset = new URL(node.getAttribute("srcset"), info.url).href; });
    article.querySelectorAll("details:not(.ver-codigo)").forEach(details => {
      details.open = teacher || !details.matches(info.solution);
    });
    article.querySelectorAll(".autoteste-resposta").forEach(answer => {
      if (teacher) answer.hidden = false; else answer.remove();
    });
    const section = element("section", "capitulo");
    section.id = info.anchor;
    section.append(...article.childNodes);
    return section;
  };

  const cover = element("section", "capa");
  cover.append(element("p", "capa-edicao", edition), element("h1", "", siteName), element("p", "capa-descricao", description));
  if (teacher) cover.append(element("p", "capa-nota",
    "Com a solução de cada exercício e as respostas comentadas dos testes de entendimento."));
  cover.append(element("p", "capa-endereco", published));
  if (repository) cover.append(element("p", "capa-endereco", repository));

  const contents = element("nav", "sumario");
  contents.setAttribute("aria-label", "Sumário");
  contents.append(element("h2", "", "Sumário"));
  const list = element("ol");
  sources.forEach((source, index) => {
    const link = element("a");
    link.href = "#" + chapters[index].anchor;
    const page = element("span", "sumario-pagina");
    page.dataset.capitulo = chapters[index].anchor;
    link.append(element("span", "sumario-licao", `Lição ${chapters[index].number}`),
                element("span", "sumario-titulo", source.querySelector("article h1").textContent.replace("¶", "").trim()),
                page);
    const item = element("li");
    item.append(link);
    list.append(item);
  });
  contents.append(list);

  const article = document.querySelector("article.md-content__inner");
  article.replaceChildren(cover, contents, ...sources.map(chapter));
  document.documentElement.classList.add("curso-impresso", teacher ? "edicao-professor" : "edicao-estudante");
  document.title = `${siteName} — ${edition}`;
  return {siteName, titles: [...article.querySelectorAll(".capitulo > h1")].map(h1 => h1.textContent.trim())};
}"""

FILL_PAGE_NUMBERS = """numbers => {
  for (const [anchor, page] of Object.entries(numbers)) {
    document.querySelector(`.sumario-pagina[data-capitulo="${anchor}"]`).textContent = page;
  }
}"""


def chapter_anchor(number: str) -> str:
    return f"licao-{number}"


def lesson_urls(site: Path, chosen: list[str] | None) -> list[tuple[str, str]]:
    """(two-digit number, page URL relative to the site) of the lessons, in course order."""
    found = [(match[1], url) for url in page_urls(site) if (match := LESSON_URL.fullmatch(url))]
    if chosen:
        missing = sorted(set(chosen) - {number for number, _ in found})
        if missing:
            raise PdfError(f"lição {', '.join(missing)} não existe em {site}/{layout.PAGES}/")
        found = [(number, url) for number, url in found if number in chosen]
    if not found:
        raise PdfError(f"nenhuma lição em {site}/{layout.PAGES}/: rode `make site` antes")
    return found


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF (pdftotext separates pages with a form feed)."""
    done = subprocess.run([PDF_TEXT, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout.split("\f")[:-1]


def squeezed(text: str) -> str:
    return " ".join(text.split())


def first_pages(pages: list[str], titles: list[str]) -> list[int]:
    """The page (1-based) where each lesson starts: the first page, after the previous lesson's, that
    opens with its title (every lesson starts on a new page, with its title on top)."""
    found, page = [], 0
    for title in titles:
        opening = squeezed(title)
        start = next((number for number in range(page, len(pages)) if squeezed(pages[number]).startswith(opening)), None)
        if start is None:
            raise PdfError(f"o título da lição “{title}” não abre nenhuma página do PDF")
        found.append(start + 1)
        page = start + 1
    return found


def footer(edition: Edition, site_name: str) -> str:
    """Chromium's footer template: its own document, with the page number filled in by class."""
    return ('<div style="width:100%;margin:0 14mm;font:8pt sans-serif;color:#555;display:flex;'
            'justify-content:space-between">'
            f'<span>{html.escape(site_name)} · {html.escape(edition.label)}</span>'
            '<span class="pageNumber"></span></div>')


@dataclass
class Printable:
    """The home page turned into the printable course."""

    page: Page
    edition: Edition
    site_name: str
    titles: list[str]  # of the lessons, in order

    async def print(self, path: Path) -> None:
        # Not a tagged PDF (`tagged=True`): it took 2.5× the bytes (1.2 MB instead of 0.48 MB for lesson
        # 01) and twice the time; the text stays selectable and readable aloud, and `outline` gives
        # the viewer's bookmarks (one per heading).
        await self.page.pdf(path=str(path), format="A4", margin=MARGINS, print_background=True, outline=True,
                            display_header_footer=True, header_template="<span></span>",
                            footer_template=footer(self.edition, self.site_name))


async def assembled_page(browser, base_url: str, lessons: list[tuple[str, str]], edition: Edition) -> Printable:
    context = await browser.new_context(color_scheme="light")
    page = await context.new_page()
    await open_started(page, base_url)  # the theme starts after the first paint: not while assembling
    chapters = [{"url": base_url + url, "number": int(number), "anchor": chapter_anchor(number),
                 "solution": SOLUTION} for number, url in lessons]
    assembled = await run_in_page(page, ASSEMBLE, {"chapters": chapters, "teacher": edition.teacher,
                                                "edition": edition.label})
    await run_in_page(page, LOAD_EVERY_IMAGE)
    await run_in_page(page, FONTS_READY)
    await page.emulate_media(media="print")
    return Printable(page, edition, assembled["siteName"], assembled["titles"])


async def print_edition(browser, base_url: str, lessons: list[tuple[str, str]], edition: Edition,
                        out: Path) -> list[int]:
    """Prints one edition to ``out``; returns the page where each lesson starts."""
    printable = await assembled_page(browser, base_url, lessons, edition)
    anchors = [chapter_anchor(number) for number, _ in lessons]
    try:
        await printable.print(out)
        for _ in range(TOC_ATTEMPTS):
            starts = first_pages(pdf_pages(out), printable.titles)
            await run_in_page(printable.page, FILL_PAGE_NUMBERS, dict(zip(anchors, map(str, starts))))
            await printable.print(out)
            if first_pages(pdf_pages(out), printable.titles) == starts:
                out.write_bytes(PRINT_TIME.sub(FIXED_TIME, out.read_bytes()))
                return starts
        raise PdfError(f"{out}: as páginas do sumário não se estabilizaram em {TOC_ATTEMPTS} impressões")
    finally:
        await printable.page.context.close()


async def print_course(site: Path, out_dir: Path, chosen: list[str] | None = None) -> dict[Path, list[int]]:
    """Both editions of the course (or of the chosen lessons) as PDFs in ``out_dir``."""
    lessons = lesson_urls(site, chosen)
    if shutil.which(PDF_TEXT) is None:
        raise PdfError(f"{PDF_TEXT} não encontrado: `make pdf` instala o poppler-utils do Debian")
    if not CHROMIUM.exists():
        raise PdfError(f"Chromium não encontrado em {CHROMIUM}: `make pdf` o instala com apt-get")
    out_dir.mkdir(parents=True, exist_ok=True)
    printed = {}
    with serving(site) as base_url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for edition in EDITIONS:
                    target = out_dir / Path(edition.file).name
                    partial = target.with_suffix(".parcial.pdf")
                    try:
                        printed[target] = await print_edition(browser, base_url, lessons, edition, partial)
                    finally:
                        if target not in printed:
                            partial.unlink(missing_ok=True)
                    partial.replace(target)  # all or nothing: a failed print leaves the previous PDF
            finally:
                await browser.close()
    return printed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gera o curso em PDF (edição do estudante e do professor).")
    parser.add_argument("--site", type=Path, default=SITE, help="site já gerado (padrão: site)")
    parser.add_argument("--out", type=Path, help=f"pasta dos PDFs (padrão: <site>/{layout.PDF})")
    parser.add_argument("--lessons", nargs="+", metavar="NN", help="só estas lições (ex.: 01 02)")
    args = parser.parse_args(argv)
    out_dir = args.out or args.site / layout.PDF
    try:
        printed = asyncio.run(print_course(args.site, out_dir, args.lessons))
    except PdfError as problem:
        print(f"erro: {problem}", file=sys.stderr)
        return 1
    for path, starts in printed.items():
        print(f"{path}: {len(pdf_pages(path))} páginas, {path.stat().st_size / 1e6:.1f} MB; "
              f"lições a partir das páginas {', '.join(map(str, starts))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
