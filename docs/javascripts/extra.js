// Ajustes de acessibilidade no HTML do Material for MkDocs (regras do axe-core).
(function () {
  // Uma fórmula ou tabela larga demais para a tela rola na horizontal; quem
  // navega pelo teclado só consegue rolá-la se ela puder receber foco
  // (scrollable-region-focusable). Só as que de fato transbordam ganham tabindex;
  // as fórmulas ganham também um nome, que o leitor de tela anuncia no foco.
  var WIDE_FORMULA = {role: "group", "aria-label": "Fórmula larga, rolável na horizontal"};

  function setAttributes(box, attributes, on) {
    Object.keys(attributes).forEach(function (name) {
      if (on) box.setAttribute(name, attributes[name]);
      else box.removeAttribute(name);
    });
  }

  function markScrollable(root) {
    (root || document).querySelectorAll("div.arithmatex, .md-typeset__scrollwrap").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
      if (box.matches("div.arithmatex")) setAttributes(box, WIDE_FORMULA, wide);
    });
  }

  document$.subscribe(function () {
    // O Material põe um <nav class="md-code__nav"> sem nome em cada bloco de
    // código (o botão de copiar); landmarks <nav> precisam de nomes distintos
    // (landmark-unique).
    document.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
      if (!nav.hasAttribute("aria-label")) {
        nav.setAttribute("aria-label", "Ações do bloco de código " + (index + 1));
      }
    });
    // O caminho de navegação (navigation.path) usa o mesmo nome do menu
    // principal ("Navegação").
    document.querySelectorAll("nav.md-path").forEach(function (nav) {
      nav.setAttribute("aria-label", "Caminho até esta página");
    });
    markScrollable();
    // A largura final das fórmulas só é conhecida com as fontes do KaTeX carregadas.
    if (document.fonts) document.fonts.ready.then(function () { markScrollable(); });
  });

  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markScrollable, 200);
  });
})();
