// Matemática das páginas de notebook (mkdocs-jupyter), sem rede.
//
// O template do mkdocs-jupyter carrega o MathJax da URL `custom_mathjax_url`;
// no mkdocs.yml ela aponta para este arquivo, que carrega o KaTeX local
// (assets/katex/, copiado de node_modules/katex pelo scripts/math_hook.py) e
// renderiza $...$ e $$...$$ só nas células Markdown, nunca em código ou saídas.
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

  function render() {
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
  }

  load("katex.min.js")
    .then(function () { return load("auto-render.min.js"); })
    .then(function () {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", render);
      } else {
        render();
      }
    })
    .catch(function (error) { console.error(error); });
})();
