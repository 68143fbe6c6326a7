// Service worker do site publicado (registrado por javascripts/offline.js, nunca em file://).
// Guarda cada página que o leitor abre e os arquivos que ela usou, para que ela abra de novo
// sem conexão: páginas e arquivos sem versão no nome vêm da rede quando há conexão (e a cópia
// guardada é atualizada) e da cópia guardada quando não há; os arquivos com hash no nome (os do
// Material) e as fontes do KaTeX nunca mudam, então vêm da cópia guardada. Nada é baixado sem o
// leitor pedir: o curso inteiro só com o botão "Salvar para ler offline" (offline.js).
// O build (scripts/curso/hooks/offline_hook.py) põe em VERSAO o hash do offline.json: um site
// novo tem outro nome de cache, e o cache do site anterior é apagado quando este assume.
const VERSAO = "dev";
const PREFIXO = "curso-offline-";
const CACHE = PREFIXO + VERSAO;
const NAO_GUARDAR = /\/(sw\.js|offline\.json)$|\.(ipynb|zip)$/;
const VERSIONADO = /\.[0-9a-f]{8}\.min\.(js|css)$|\/assets\/katex\//;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const nome of await caches.keys()) {
      if (nome.startsWith(PREFIXO) && nome !== CACHE) await caches.delete(nome);
    }
    await self.clients.claim();
  })());
});

// A primeira página aberta carregou antes deste service worker: offline.js manda a lista dos
// arquivos que ela usou, e eles vão para o cache (quase sempre do cache HTTP, sem rede).
self.addEventListener("message", (event) => {
  if (!event.data || event.data.tipo !== "guardar") return;
  event.waitUntil(caches.open(CACHE).then((cache) =>
    Promise.all(event.data.urls.filter(guardavel).map((url) =>
      fetch(url).then((resposta) => resposta.ok && cache.put(url, resposta)).catch(() => null)))));
});

self.addEventListener("fetch", (event) => {
  const pedido = event.request;
  if (pedido.method !== "GET" || !guardavel(pedido.url)) return;
  event.respondWith(VERSIONADO.test(new URL(pedido.url).pathname) ? daCopia(pedido) : daRede(pedido));
});

function guardavel(url) {
  const endereco = new URL(url, self.registration.scope);
  return endereco.href.startsWith(self.registration.scope) && !NAO_GUARDAR.test(endereco.pathname);
}

async function guardar(pedido, resposta) {
  if (resposta.ok && resposta.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(pedido, resposta.clone());
  }
  return resposta;
}

async function daCopia(pedido) {
  return (await caches.match(pedido)) || guardar(pedido, await fetch(pedido));
}

async function daRede(pedido) {
  try {
    return await guardar(pedido, await fetch(pedido));
  } catch (erro) {
    const copia = await caches.match(pedido, { ignoreSearch: true });
    if (copia) return copia;
    if (pedido.mode === "navigate") return semConexao();
    throw erro;
  }
}

function semConexao() {
  const inicio = self.registration.scope;
  const html = '<!doctype html><html lang="pt-BR"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>Sem conexão</title>" +
    '<main style="font-family: system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">' +
    "<h1>Sem conexão</h1>" +
    "<p>Esta página não foi guardada neste aparelho. Ela abre sem internet depois de visitada " +
    'uma vez com conexão, ou depois de “Salvar para ler offline”, na página inicial.</p>' +
    '<p><a href="' + inicio + '">Voltar para o início</a></p></main></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
