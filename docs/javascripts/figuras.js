// Figuras em tela cheia: tocar ou clicar numa figura da lição, ou no botão
// "Ampliar figura" (Enter ou Espaço pelo teclado), a abre num <dialog> que ocupa
// a tela, rola nas duas direções e aceita o gesto de pinça. Esc ou "Fechar"
// voltam ao texto, com o foco no botão da figura. Mostra o mesmo arquivo que a
// página já baixou (a versão para celular ou a grande): nada novo vem da rede.
(function () {
  var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="m15.5 14 5 5-1.5 1.5-5-5v-.79l-.27-.28A6.47 6.47 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3 6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.57 4.23l.28.27zm-6 0C12 14 14 12 14 9.5S12 5 9.5 5 5 7 5 9.5 7 14 9.5 14m2.5-4h-2v2H9v-2H7V9h2V7h1v2h2z"/></svg>';
  // Num celular, a figura que cabe na tela é pouco maior que a da página: ela
  // abre já com o dobro da largura da tela.
  var STARTS_ZOOMED = "(max-width: 600px)";
  var viewer, viewerImage, zoomButton, opener;

  function buildViewer() {
    viewer = document.createElement("dialog");
    viewer.className = "figura-ampliada";
    viewer.setAttribute("aria-label", "Figura ampliada");
    // A área da figura rola; com tabindex, rola também pelas setas do teclado.
    viewer.innerHTML =
      '<div class="figura-ampliada__barra">' +
      '<button type="button" class="figura-ampliada__botao" aria-pressed="false">Aumentar</button>' +
      '<button type="button" class="figura-ampliada__botao" autofocus>Fechar</button>' +
      "</div>" +
      '<div class="figura-ampliada__area" tabindex="0"><img alt=""></div>';
    var buttons = viewer.querySelectorAll("button");
    zoomButton = buttons[0];
    viewerImage = viewer.querySelector("img");
    zoomButton.addEventListener("click", function () { setZoom(!isZoomed()); });
    viewerImage.addEventListener("click", function () { setZoom(!isZoomed()); });
    buttons[1].addEventListener("click", function () { viewer.close(); });
    viewer.addEventListener("close", function () {
      document.documentElement.classList.remove("figura-aberta");
      if (opener) opener.focus();
    });
    document.body.appendChild(viewer);
  }

  function isZoomed() {
    return viewer.classList.contains("figura-ampliada--dobro");
  }

  function setZoom(zoomed) {
    viewer.classList.toggle("figura-ampliada--dobro", zoomed);
    zoomButton.setAttribute("aria-pressed", String(zoomed));
  }

  function openViewer(image, button) {
    if (!viewer) buildViewer();
    var box = image.getBoundingClientRect();
    opener = button;
    viewerImage.src = image.currentSrc || image.src;
    viewerImage.alt = image.alt;
    viewerImage.style.setProperty("--proporcao", String(box.width / box.height));
    setZoom(window.matchMedia(STARTS_ZOOMED).matches);
    viewer.showModal();
    document.documentElement.classList.add("figura-aberta");
  }

  function addOpener(image) {
    var picture = image.parentNode;
    var frame = document.createElement("span");
    var button = document.createElement("button");
    frame.className = "figura-moldura";
    button.type = "button";
    button.className = "figura-moldura__ampliar";
    button.setAttribute("aria-label", "Ampliar figura");
    button.innerHTML = ICON + "Ampliar";
    picture.parentNode.insertBefore(frame, picture);
    frame.appendChild(picture);
    frame.appendChild(button);
    button.addEventListener("click", function () { openViewer(image, button); });
    image.addEventListener("click", function () { openViewer(image, button); });
  }

  document$.subscribe(function () {
    document.querySelectorAll("article picture > img").forEach(addOpener);
  });
})();
