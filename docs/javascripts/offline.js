// Ler sem internet no site publicado (http/https; no file:// não faz nada).
// Registra o service worker (../sw.js, relativo a este arquivo: vale sob /redes-neurais/ e no
// `mkdocs serve`), que guarda cada página aberta. Na página inicial, o painel "Salvar para ler
// offline" (scripts/curso/hooks/offline_hook.py) mostra o tamanho do curso inteiro, lido do
// offline.json gerado no build, antes de baixar; baixa com progresso e permite remover a cópia.
// Nada é baixado sem o leitor pedir.
(function () {
  if (!/^https?:$/.test(location.protocol) || !("serviceWorker" in navigator) || !window.caches) return;
  var PREFIXO = "curso-offline-";  // o mesmo do sw.js
  var raiz = new URL("../", document.currentScript.src);
  var controladaAoAbrir = !!navigator.serviceWorker.controller;

  // Depois do load: registrar não disputa a rede nem o processador com a primeira página. Este
  // script roda depois do primeiro desenho (overrides/partials/javascripts/startup.html), às vezes
  // já depois do load.
  function registrar() {
    // Sem service worker (bloqueado pelo navegador): o site funciona igual, só não guarda páginas.
    navigator.serviceWorker.register(new URL("sw.js", raiz)).catch(function () {});
    if (!controladaAoAbrir) guardarEstaPagina();
  }
  if (document.readyState === "complete") registrar();
  else window.addEventListener("load", registrar);

  // Esta página carregou antes do service worker: ele guarda o que ela usou.
  function guardarEstaPagina() {
    navigator.serviceWorker.ready.then(function (registro) {
      var urls = performance.getEntriesByType("resource").map(function (entrada) { return entrada.name; });
      registro.active.postMessage({ tipo: "guardar", urls: [location.href.split("#")[0]].concat(urls) });
    });
  }

  function tamanho(bytes) {  // como size_text em scripts/curso/offline.py
    if (bytes < 1e6) return Math.max(1, Math.round(bytes / 1e3)) + " KB";
    return (bytes / 1e6).toFixed(1).replace(".", ",") + " MB";
  }

  function nomesGuardados() {
    return caches.keys().then(function (nomes) {
      return nomes.filter(function (nome) { return nome.indexOf(PREFIXO) === 0; });
    });
  }

  function painel(caixa) {
    var manifesto = new URL(caixa.getAttribute("data-manifesto"), location.href).href;
    var salvar = caixa.querySelector(".salvar-offline__salvar");
    var remover = caixa.querySelector(".salvar-offline__remover");
    var estado = caixa.querySelector(".salvar-offline__estado");
    var lista = null;

    function mostrar(texto, salvo) {
      estado.textContent = texto;
      remover.hidden = !salvo;
    }

    function copiaSalva() {
      return nomesGuardados().then(function (nomes) {
        return Promise.all(nomes.map(function (nome) {
          return caches.open(nome).then(function (cache) { return cache.match(manifesto); });
        }));
      }).then(function (achados) {
        var resposta = achados.filter(Boolean)[0];
        return resposta ? resposta.json() : null;
      });
    }

    function perguntar() {
      salvar.disabled = true;
      return fetch(manifesto, { cache: "no-store" }).then(function (resposta) {
        if (!resposta.ok) throw new Error("o servidor respondeu " + resposta.status);
        return resposta.json();
      }).then(function (dados) {
        lista = dados;
        salvar.textContent = "Baixar " + tamanho(dados.total_rede);
        mostrar("O curso inteiro (" + dados.arquivos.length + " arquivos) ocupa " + tamanho(dados.total) +
          " no aparelho e baixa cerca de " + tamanho(dados.total_rede) + " pela rede (comprimido). " +
          "Pelos dados móveis, prefira uma rede Wi-Fi.", false);
      });
    }

    function baixar() {
      salvar.disabled = true;
      var barra = document.createElement("progress");
      barra.max = lista.total_rede;
      barra.value = 0;
      barra.setAttribute("aria-label", "Progresso do download");
      caixa.appendChild(barra);
      var feitos = 0;
      var fila = lista.arquivos.slice();
      return caches.open(PREFIXO + lista.versao).then(function (cache) {
        function proximo() {
          var arquivo = fila.shift();
          if (!arquivo) return null;
          var url = new URL(arquivo.url, manifesto).href;
          return fetch(url).then(function (resposta) {
            if (!resposta.ok) throw new Error(arquivo.url + " respondeu " + resposta.status);
            return cache.put(url, resposta);
          }).then(function () {
            feitos += arquivo.rede;
            barra.value = feitos;
            estado.textContent = "Baixando: " + tamanho(feitos) + " de cerca de " + tamanho(lista.total_rede) + "…";
            return proximo();
          });
        }
        return Promise.all([proximo(), proximo(), proximo(), proximo()]).then(function () {
          return cache.put(manifesto, new Response(JSON.stringify(lista), { headers: { "Content-Type": "application/json" } }));
        });
      }).then(function () {
        salvar.hidden = true;
        mostrar("Pronto: o curso inteiro (" + tamanho(lista.total) + ") está salvo neste aparelho e abre sem internet.", true);
      }).finally(function () { barra.remove(); });
    }

    function removerCopia() {
      return nomesGuardados().then(function (nomes) {
        return Promise.all(nomes.map(function (nome) { return caches.delete(nome); }));
      }).then(function () {
        lista = null;
        salvar.hidden = false;
        salvar.textContent = "Salvar para ler offline";
        mostrar("Cópia removida: as páginas guardadas foram apagadas deste aparelho.", false);
        salvar.focus();
      });
    }

    function falhou(erro) {
      mostrar("Não deu para salvar (" + erro.message + "). O que já foi baixado continua guardado; " +
        "tente de novo com conexão.", false);
    }

    salvar.addEventListener("click", function () {
      (lista ? baixar() : perguntar()).catch(falhou).finally(function () { salvar.disabled = false; });
    });
    remover.addEventListener("click", removerCopia);
    copiaSalva().then(function (salvo) {
      if (salvo) {
        salvar.hidden = true;
        mostrar("O curso inteiro (" + tamanho(salvo.total) + ") está salvo neste aparelho e abre sem internet.", true);
      }
      caixa.hidden = false;
    });
  }

  document.querySelectorAll(".salvar-offline[data-manifesto]").forEach(painel);
})();
