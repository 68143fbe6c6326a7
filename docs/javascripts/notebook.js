// Páginas de notebook (mkdocs-jupyter), sem rede.
//
// O template do mkdocs-jupyter carrega o MathJax da URL `custom_mathjax_url`;
// no mkdocs.yml ela aponta para este arquivo, que carrega o KaTeX local
// (assets/katex/, copiado de node_modules/katex pelo scripts/curso/hooks/math_hook.py) e
// renderiza $...$ e $$...$$ só nas células Markdown, nunca em código ou saídas.
// Também deixa focáveis pelo teclado as áreas que rolam na horizontal (células
// de código com linhas longas, fórmulas largas): regra scrollable-region-focusable.
(function () {
  var here = document.currentScript.src;
  var base = new URL("../assets/katex/", here).href;

  function load(name) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = base + name;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("não carregou " + script.src)); };
      document.head.appendChild(script);
    });
  }

  function renderMath() {
    document.querySelectorAll(".jupyter-wrapper .jp-RenderedMarkdown").forEach(function (cell) {
      renderMathInElement(cell, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\[", right: "\\]", display: true },
          { left: "\\(", right: "\\)", display: false }
        ],
        output: "htmlAndMathml",
        throwOnError: false
      });
    });
    markScrollable();
    // Sinal de pronto (os testes de navegador esperam por ele antes de ler a página).
    document.documentElement.setAttribute("data-math", "renderizada");
    // A largura final das fórmulas só é conhecida com as fontes do KaTeX carregadas.
    if (document.fonts) document.fonts.ready.then(markScrollable);
  }

  function markScrollable() {
    var boxes = ".jupyter-wrapper .katex-display, .jupyter-wrapper .highlight-ipynb, " +
      ".jupyter-wrapper .jp-OutputArea-output pre, .jupyter-wrapper .jp-RenderedMarkdown pre";
    document.querySelectorAll(boxes).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
    });
  }

  function whenReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  whenReady(markScrollable);
  window.addEventListener("load", markScrollable);
  window.addEventListener("resize", markScrollable);
  load("katex.min.js")
    .then(function () { return load("auto-render.min.js"); })
    .then(function () { whenReady(renderMath); })
    .catch(function (error) { console.error(error); });
})();
