// Suggestions from the taxonomy as a field is typed in: each input with data-suggest gets a
// datalist filled from /suggest. In a list field (items separated by ";") only the last item
// is completed.
"use strict";
(function () {
  function attach(input, n) {
    var list = document.createElement("datalist");
    list.id = "suggest-" + n;
    input.setAttribute("list", list.id);
    input.parentNode.insertBefore(list, input.nextSibling);
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var value = input.value;
        var multi = input.dataset.multi === "true";
        var cut = multi ? value.lastIndexOf(";") : -1;
        var head = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
        var typed = value.slice(cut + 1).trim();
        if (typed.length < 2 || typed === asked) return;
        asked = typed;
        fetch("/suggest?kind=" + encodeURIComponent(input.dataset.suggest) + "&q=" + encodeURIComponent(typed), {
          credentials: "same-origin",
          headers: { accept: "application/json" }
        })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (found) {
            list.textContent = "";
            found.forEach(function (s) {
              var option = document.createElement("option");
              option.value = head + s.value;
              option.label = s.label;
              option.textContent = s.label;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < fields.length; i++) attach(fields[i], i);
  });
})();
