// Busca no site aberto do disco (file://), só na versão para baixar (scripts/curso/hooks/offline_hook.py).
// O Chromium não cria um Web Worker a partir de um arquivo local, e a busca do Material roda num
// worker. Aqui o script do worker roda num <iframe> escondido, que troca mensagens com a página;
// o worker do Material reconhece esse caso pelo nome IFrameWorker e espera o importScripts
// assíncrono daqui. Nada vem da rede: é o substituto local do shim que o plugin offline buscaria numa CDN.
(function () {
  if (location.protocol !== "file:") return;

  function importScriptsInto(frame) {
    return function () {
      var urls = Array.prototype.slice.call(arguments);
      return urls.reduce(function (previous, url) {
        return previous.then(function () {
          return new Promise(function (resolve, reject) {
            var script = frame.document.createElement("script");
            script.src = url;
            script.onload = resolve;
            script.onerror = function () { reject(new Error("não carregou " + url)); };
            frame.document.body.appendChild(script);
          });
        });
      }, Promise.resolve());
    };
  }

  class IFrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.iframe = document.createElement("iframe");
      this.iframe.hidden = true;
      this.iframe.title = "Busca";
      document.body.appendChild(this.iframe);
      var frame = this.iframe.contentWindow;
      var channel = new MessageChannel();
      frame.postMessage = function (data) { channel.port1.postMessage(data); };
      frame.importScripts = importScriptsInto(frame);
      this.ready = new Promise(function (resolve) {
        var script = frame.document.createElement("script");
        script.src = url;
        script.onload = resolve;
        frame.document.body.appendChild(script);
      });
      var worker = this;
      channel.port2.onmessage = function (event) {
        worker.dispatchEvent(new MessageEvent("message", { data: event.data }));
      };
    }

    postMessage(data) {
      var frame = this.iframe.contentWindow;
      this.ready.then(function () {
        frame.dispatchEvent(new frame.MessageEvent("message", { data: data }));
      });
    }

    terminate() {
      this.iframe.remove();
    }
  }

  window.IFrameWorker = IFrameWorker;
  window.Worker = IFrameWorker;
})();
