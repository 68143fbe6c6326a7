// Páginas de notebook: deixa focáveis pelo teclado as áreas que rolam na horizontal
// (células de código com linhas longas, fórmulas largas, saídas): regra
// scrollable-region-focusable. As fórmulas já vêm prontas do build (KaTeX).
// As células fora da tela não são desenhadas (content-visibility no extra.css):
// medir todas ao abrir desenhava o notebook inteiro (mais de um segundo de
// travamento com a CPU 4× mais lenta). Cada área é medida quando chega a uma
// tela de distância da parte visível, e de novo quando a largura da tela muda.
(function () {
  var BOXES = ".jupyter-wrapper .katex-display, .jupyter-wrapper .highlight-ipynb, " +
    ".jupyter-wrapper .jp-OutputArea-output pre, .jupyter-wrapper .jp-RenderedMarkdown pre";
  var nearBoxes = new Set();

  function markScrollable(box) {
    if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
  }

  var nearScreen = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        nearBoxes.add(entry.target);
        markScrollable(entry.target);
      } else {
        nearBoxes.delete(entry.target);
      }
    });
  }, {rootMargin: "100% 0px"});

  document.querySelectorAll(BOXES).forEach(function (box) { nearScreen.observe(box); });
  window.addEventListener("resize", function () { nearBoxes.forEach(markScrollable); });
})();
