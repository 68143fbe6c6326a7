// Ajustes de acessibilidade no HTML do Material for MkDocs (regras do axe-core)
// e explicação das abreviações ao toque.
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

  // Abreviações: a explicação (o title da <abbr>) abre com toque, clique ou
  // teclado, não só com o mouse. Um único balão, criado no primeiro uso, e
  // ouvintes no documento: cada uma das 100+ abreviações de uma lição só ganha
  // o tabindex que a deixa receber foco.
  var tip, shown;

  function abbreviationIn(node) {
    return node instanceof Element ? node.closest("abbr[data-explicacao]") : null;
  }

  function placeTip(abbr) {
    var box = abbr.getBoundingClientRect();
    var margin = 8;
    var width = tip.offsetWidth;
    var height = tip.offsetHeight;
    var viewport = document.documentElement.clientWidth;
    var below = box.bottom + margin + height <= window.innerHeight || box.top < height + margin;
    var left = Math.max(Math.min(box.left, viewport - width - margin), margin);
    var origin = tip.offsetParent.getBoundingClientRect();
    tip.style.left = left - origin.left + "px";
    tip.style.top = (below ? box.bottom + margin : box.top - margin - height) - origin.top + "px";
  }

  function showAbbreviation(abbr) {
    if (shown === abbr) return;
    hideAbbreviation();
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "explicacao-abreviacao";
      tip.className = "abbr-dica";
      tip.setAttribute("role", "tooltip");
      // Dentro de <main>: todo conteúdo fica num landmark (axe: region).
      (document.querySelector("main") || document.body).appendChild(tip);
    }
    tip.textContent = abbr.dataset.explicacao;
    tip.hidden = false;
    // Sem o title enquanto o balão está aberto: o navegador não mostra a mesma
    // explicação uma segunda vez por cima dele.
    abbr.removeAttribute("title");
    abbr.setAttribute("aria-describedby", tip.id);
    placeTip(abbr);
    shown = abbr;
  }

  function hideAbbreviation() {
    if (!shown) return;
    shown.setAttribute("title", shown.dataset.explicacao);
    shown.removeAttribute("aria-describedby");
    tip.hidden = true;
    shown = null;
  }

  function enableAbbreviations() {
    document.querySelectorAll(".md-content abbr[title]").forEach(function (abbr) {
      abbr.dataset.explicacao = abbr.getAttribute("title");
      abbr.tabIndex = 0;
    });
  }

  function toggleAbbreviation(event) {
    var abbr = abbreviationIn(event.target);
    if (abbr) showAbbreviation(abbr); else hideAbbreviation();
  }

  document$.subscribe(enableAbbreviations);
  document.addEventListener("focusin", toggleAbbreviation);
  document.addEventListener("click", toggleAbbreviation);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hideAbbreviation();
  });

  var pending;
  window.addEventListener("resize", function () {
    if (shown) placeTip(shown);
    clearTimeout(pending);
    pending = setTimeout(markScrollable, 200);
  });
})();
