/* Figuras exploráveis (opção explore= das lições): cada controle deslizante troca a figura, o texto
 * alternativo, a legenda e a saída impressa por um estado que o build já calculou com o código da
 * lição. Os estados ficam num arquivo JSON por figura (um para telas de celular, outro para as
 * demais), baixado só na primeira vez que o leitor toca, foca ou usa o teclado num controle. */
(function () {
  "use strict";

  function setup(box) {
    var inputs = Array.prototype.slice.call(box.querySelectorAll("input[type=range]"));
    var loading = null;
    var urls = {};

    function load() {
      if (!loading) {
        var phone = window.matchMedia(box.dataset.celular).matches;
        var url = phone ? box.dataset.estadosCelular : box.dataset.estados;
        loading = fetch(url).then(function (answer) {
          if (!answer.ok) throw new Error("estados não encontrados: " + url);
          return answer.json();
        });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }

    function stateIndex() {
      return inputs.reduce(function (index, input) {
        return index * (Number(input.max) + 1) + Number(input.value);
      }, 0);
    }

    function describe(input) {
      var label = input.dataset.valores.split(";")[Number(input.value)];
      input.setAttribute("aria-valuetext", input.dataset.simbolo + " = " + label);
      var shown = box.querySelector("output[for='" + input.id + "']");
      if (shown) shown.textContent = label;
    }

    function figureUrl(index, svg) {
      if (!urls[index]) urls[index] = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
      return urls[index];
    }

    function show(data) {
      var index = stateIndex();
      var state = data.estados[index];
      var image = box.querySelector("picture img, img");
      if (image && state.svg) {
        var url = figureUrl(index, state.svg);
        var source = box.querySelector("picture source");
        if (source) source.srcset = url;
        image.src = url;
        image.alt = state.alt;
      }
      var caption = box.querySelector("figcaption");
      if (caption) caption.textContent = state.legenda;
      var output = box.querySelector(".explorar-saida");
      output.innerHTML = state.saida;
      Array.prototype.forEach.call(output.querySelectorAll("pre > code"), function (code) {
        if (code.scrollWidth > code.clientWidth) code.tabIndex = 0;  // rola: o teclado também chega
      });
    }

    function changed(event) {
      describe(event.target);
      load().then(show);
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", changed);
      ["focus", "pointerdown", "keydown", "touchstart"].forEach(function (name) {
        input.addEventListener(name, load, { passive: true });
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".explorar"), setup);
})();
