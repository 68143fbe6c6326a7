// Páginas de notebook: deixa focáveis pelo teclado as áreas que rolam na horizontal
// (células de código com linhas longas, fórmulas largas, saídas): regra
// scrollable-region-focusable. As fórmulas já vêm prontas do build (KaTeX).
(function () {
  function markScrollable() {
    var boxes = ".jupyter-wrapper .katex-display, .jupyter-wrapper .highlight-ipynb, " +
      ".jupyter-wrapper .jp-OutputArea-output pre, .jupyter-wrapper .jp-RenderedMarkdown pre";
    document.querySelectorAll(boxes).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
    });
  }

  markScrollable();
  window.addEventListener("load", markScrollable);
  window.addEventListener("resize", markScrollable);
})();
