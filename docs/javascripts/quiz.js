// "Teste seu entendimento": confere as respostas das perguntas de uma lição no
// próprio navegador (a resposta certa veio do build: data-correta numa pergunta
// de escolha, data-valor e data-tolerancia numa numérica). Guarda, por lição, se
// cada pergunta foi respondida certa ou errada (localStorage), restaura ao
// recarregar, mostra "N de M certas" e apaga tudo com "Recomeçar".
(function () {
  var STORAGE_PREFIX = "autoteste:";
  var RIGHT = "Certo!";
  var WRONG = "Ainda não. Veja a resposta certa e a explicação abaixo.";
  var NO_CHOICE = "Escolha uma das opções antes de verificar.";
  var NOT_A_NUMBER = "Escreva um número, como 0,25 (vírgula ou ponto).";

  function load(slug) {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_PREFIX + slug)) || {};
    } catch (error) {
      return {};
    }
  }

  function save(slug, answers) {
    try {
      localStorage.setItem(STORAGE_PREFIX + slug, JSON.stringify(answers));
    } catch (error) {
      // Sem localStorage (modo privado antigo, cota cheia): a conferência funciona, só não fica guardada.
    }
  }

  // "0,25", "0.25", "-1,5e-3", "−2": vírgula ou ponto decimal; NaN se não for um número.
  function parseDecimal(text) {
    var cleaned = text.trim().replace(/\s+/g, "").replace(/\u2212/g, "-").replace(",", ".");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return NaN;
    return Number(cleaned);
  }

  function givenAnswer(form) {
    if (form.dataset.tipo === "escolha") {
      var checked = form.querySelector("input[type=radio]:checked");
      return checked ? checked.value : null;
    }
    var text = form.querySelector("input[type=text]").value;
    return text.trim() ? text : null;
  }

  // true/false, ou null quando a resposta não dá para conferir (nada escolhido, não é número).
  function isRight(form, answer) {
    if (form.dataset.tipo === "escolha") return answer === form.dataset.correta;
    var number = parseDecimal(answer);
    if (isNaN(number)) return null;
    var input = form.querySelector("input[type=text]");
    var expected = Number(input.dataset.valor);
    return Math.abs(number - expected) <= Number(input.dataset.tolerancia) + 1e-12 * Math.abs(expected);
  }

  function showResult(form, right) {
    form.classList.add("autoteste-respondida");
    form.classList.toggle("autoteste-certa", right);
    form.classList.toggle("autoteste-errada", !right);
    form.querySelector(".autoteste-retorno").textContent = right ? RIGHT : WRONG;
  }

  function clearResult(form) {
    form.reset();
    form.classList.remove("autoteste-respondida", "autoteste-certa", "autoteste-errada");
    form.querySelector(".autoteste-retorno").textContent = "";
  }

  function restore(form, saved) {
    if (form.dataset.tipo === "escolha") {
      var option = form.querySelector('input[type=radio][value="' + saved.resposta + '"]');
      if (option) option.checked = true;
    } else {
      form.querySelector("input[type=text]").value = saved.resposta;
    }
    showResult(form, saved.certa);
  }

  function setUp(section) {
    var slug = section.dataset.licao;
    var forms = section.querySelectorAll(".autoteste-questao");
    var score = section.querySelector(".autoteste-placar");
    var answers = load(slug);

    function updateScore() {
      var right = 0;
      forms.forEach(function (form) {
        var saved = answers[form.dataset.questao];
        if (saved && saved.certa) right += 1;
      });
      score.textContent = right + " de " + forms.length + " certas";
    }

    forms.forEach(function (form) {
      var saved = answers[form.dataset.questao];
      if (saved) restore(form, saved);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var answer = givenAnswer(form);
        var right = answer === null ? null : isRight(form, answer);
        if (right === null) {
          form.querySelector(".autoteste-retorno").textContent =
            form.dataset.tipo === "escolha" ? NO_CHOICE : NOT_A_NUMBER;
          return;
        }
        answers = load(slug);  // outra aba pode ter guardado respostas desde que a página abriu
        answers[form.dataset.questao] = { certa: right, resposta: answer };
        save(slug, answers);
        showResult(form, right);
        updateScore();
      });
    });

    section.querySelector(".autoteste-recomecar").addEventListener("click", function () {
      answers = {};
      try {
        localStorage.removeItem(STORAGE_PREFIX + slug);
      } catch (error) {
        // Nada guardado para apagar.
      }
      forms.forEach(clearResult);
      updateScore();
    });
    updateScore();
  }

  document.querySelectorAll("section.autoteste").forEach(setUp);
})();
