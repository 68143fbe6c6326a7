// Ajustes de acessibilidade no HTML do Material for MkDocs (regras do axe-core)
// e explicação das abreviações ao toque.
(function () {
  // Uma fórmula ou tabela larga demais para a tela rola na horizontal; quem
  // navega pelo teclado só consegue rolá-la se ela puder receber foco
  // (scrollable-region-focusable). Só as que de fato transbordam ganham tabindex;
  // as fórmulas ganham também um nome, que o leitor de tela anuncia no foco.
  var WIDE_FORMULA = {role: "group", "aria-label": "Fórmula larga, rolável na horizontal"};
  // Nas páginas de notebook: fórmulas, células de código com linhas longas e saídas.
  var SCROLL_BOXES = "div.arithmatex, .md-typeset__scrollwrap, .jupyter-wrapper .katex-display, " +
    ".jupyter-wrapper .highlight-ipynb, .jupyter-wrapper .jp-OutputArea-output pre, .jupyter-wrapper .jp-RenderedMarkdown pre";
  // Fora da tela, uma caixa não é desenhada (content-visibility no extra.css) e
  // não transborda; medir todas ao abrir a página a desenharia inteira (o que
  // travava o celular). Cada caixa é medida quando chega a uma tela de
  // distância da parte visível; as que estão ali são medidas de novo quando a
  // largura da tela muda ou chega uma fonte.
  var nearBoxes = new Set();
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

  function setAttributes(box, attributes, on) {
    Object.keys(attributes).forEach(function (name) {
      if (on) box.setAttribute(name, attributes[name]);
      else box.removeAttribute(name);
    });
  }

  // O que está dentro da caixa, medido: a caixa é desenhada mesmo se ainda
  // estiver pulada pelo content-visibility.
  function isWide(box) {
    var content = box.firstElementChild;
    var width = content ? content.getBoundingClientRect().width : 0;
    return Math.max(width, box.scrollWidth) > box.clientWidth + 1;
  }

  function markScrollable(box) {
    var wide = isWide(box);
    if (wide) {
      box.setAttribute("tabindex", "0");
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
    }
    if (box.matches("div.arithmatex")) setAttributes(box, WIDE_FORMULA, wide);
  }

  function measureBoxesNearScreen() {
    nearBoxes.forEach(markScrollable);
  }

  // Com mouse, o Material deixa rolar pelo teclado (tabindex) o bloco de código
  // que transborda, mas só quando prepara o bloco, ao aparecer na tela
  // (content.lazy): antes disso, o Tab passaria por cima dele. Até lá, todo
  // bloco recebe foco; ao prepará-lo, o Material o tira dos que não transbordam.
  function focusableCodeUntilPrepared() {
    if (!window.matchMedia("(hover)").matches) return;
    document.querySelectorAll("article pre > code:not([tabindex])").forEach(function (code) {
      if (!code.parentElement.querySelector(":scope > nav.md-code__nav")) code.tabIndex = 0;
    });
  }

  // O Material põe um <nav class="md-code__nav"> sem nome em cada bloco de
  // código (o botão de copiar), quando o bloco aparece na tela (content.lazy);
  // landmarks <nav> precisam de nomes distintos (landmark-unique): o número do
  // bloco na página.
  function nameCodeNavigation(nav, codeBlocks) {
    if (nav.hasAttribute("aria-label")) return;
    var number = codeBlocks.indexOf(nav.nextElementSibling) + 1;
    nav.setAttribute("aria-label", "Ações do bloco de código " + number);
  }

  function nameCodeNavigationWhenAdded() {
    var codeBlocks = Array.prototype.slice.call(document.querySelectorAll("pre > code"));
    var article = document.querySelector("article") || document.body;
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node instanceof Element && node.matches("nav.md-code__nav")) nameCodeNavigation(node, codeBlocks);
        });
      });
    }).observe(article, {childList: true, subtree: true});
    article.querySelectorAll("nav.md-code__nav").forEach(function (nav) { nameCodeNavigation(nav, codeBlocks); });
  }

  document$.subscribe(function () {
    nameCodeNavigationWhenAdded();
    // O caminho de navegação (navigation.path) usa o mesmo nome do menu
    // principal ("Navegação").
    document.querySelectorAll("nav.md-path").forEach(function (nav) {
      nav.setAttribute("aria-label", "Caminho até esta página");
    });
    document.querySelectorAll(SCROLL_BOXES).forEach(function (box) {
      // Na página de notebook, até ser medida, cada caixa recebe foco (como os
      // blocos de código abaixo): o Tab não passa por cima de uma que transborda.
      if (box.closest(".jupyter-wrapper")) box.tabIndex = 0;
      nearScreen.observe(box);
    });
    focusableCodeUntilPrepared();
    // A largura final de uma fórmula só é conhecida com as fontes do KaTeX
    // carregadas, e o navegador só as busca quando desenha a primeira fórmula
    // que as usa: cada fonte que chega muda as medidas perto da tela.
    if (document.fonts) document.fonts.addEventListener("loadingdone", measureBoxesNearScreen);
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

  // Um bloco recolhível aberto mostra fórmulas e tabelas que estavam escondidas.
  document.addEventListener("toggle", function (event) {
    if (event.target.open) event.target.querySelectorAll(SCROLL_BOXES).forEach(markScrollable);
  }, true);

  var pending;
  window.addEventListener("resize", function () {
    if (shown) placeTip(shown);
    clearTimeout(pending);
    pending = setTimeout(measureBoxesNearScreen, 200);
  });
})();
