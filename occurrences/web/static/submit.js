// Progressive enhancement of the submission form: post JSON to POST /occurrences and show the stored record,
// or each field's errors next to it, without reloading. Without JavaScript the form posts to /submit and the
// server renders the same result. No dependencies; all texts come from the page (already translated).
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form || !window.fetch) return;
  var result = document.getElementById("result");
  var general = document.getElementById("general-errors");

  function fields() { return form.querySelectorAll(".field"); }

  function clearErrors() {
    general.textContent = "";
    fields().forEach(function (div) {
      var control = div.querySelector("input, select, textarea");
      control.removeAttribute("aria-invalid");
      div.querySelector(".error").textContent = "";
    });
  }

  function paragraph(text) {
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = text;
    return p;
  }

  function showErrors(body) {
    general.appendChild(paragraph(body.message || form.dataset.failed));
    var first = null;
    (body.issues || []).forEach(function (issue) {
      var div = form.querySelector('.field[data-term="' + issue.field + '"]');
      if (!div) { general.appendChild(paragraph(issue.message)); return; }
      var control = div.querySelector("input, select, textarea");
      var slot = div.querySelector(".error");
      slot.textContent = (slot.textContent ? slot.textContent + " " : "") + issue.message;
      control.setAttribute("aria-invalid", "true");
      first = first || control;
    });
    if (first) first.focus();
  }

  function showRecord(record) {
    result.textContent = "";
    var h = document.createElement("h2");
    h.textContent = form.dataset.storedTitle;
    var dl = document.createElement("dl");
    dl.className = "record";
    fields().forEach(function (div) {
      var term = div.dataset.term, value = record[term];
      if (value === null || value === undefined || value === "") return;
      var option = div.querySelector('option[value="' + String(value).replace(/"/g, '\\"') + '"]');
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = div.dataset.label;
      dd.textContent = option ? option.textContent : String(value);
      dd.dataset.term = term;
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    result.appendChild(h);
    result.appendChild(dl);
    result.hidden = false;
    result.focus && result.setAttribute("tabindex", "-1");
    result.scrollIntoView();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var data = new FormData(form), body = {};
    fields().forEach(function (div) {
      var value = data.get(div.dataset.term);
      if (value !== null && String(value).trim() !== "") body[div.dataset.term] = String(value);
    });
    body.lang = data.get("lang");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch("/occurrences?lang=" + encodeURIComponent(body.lang), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRF-Token": data.get("csrf_token") || ""},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return {status: response.status, json: json}; });
    }).then(function (answer) {
      if (answer.status === 201) {
        showRecord(answer.json);
        form.reset();
      } else {
        result.hidden = true;
        showErrors(answer.json);
      }
    }).catch(function () {
      general.appendChild(paragraph(form.dataset.networkError));
    }).then(function () { button.disabled = false; });
  });
})();
