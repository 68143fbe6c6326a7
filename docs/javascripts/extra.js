// Ajustes de acessibilidade no HTML do Material for MkDocs.
//
// O Material põe um <nav class="md-code__nav"> sem nome em cada bloco de código
// (o botão de copiar). Vários landmarks <nav> sem nome distinto reprovam na regra
// "landmark-unique" do axe; damos a cada um um nome único em português.
document$.subscribe(function () {
  document.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
    if (!nav.hasAttribute("aria-label")) {
      nav.setAttribute("aria-label", "Ações do bloco de código " + (index + 1));
    }
  });
});
