// The catalog's search: every word typed must appear in a row's name, description, columns,
// owner or tags; the kind list narrows it further. Rows are filtered in place (no request).
(function () {
  "use strict";
  var input = document.getElementById("catalog-search");
  var kind = document.getElementById("catalog-kind");
  var count = document.getElementById("catalog-count");
  var empty = document.getElementById("catalog-empty");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#catalog tbody tr"));

  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var wanted = kind.value;
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search");
      var match = (!wanted || row.getAttribute("data-kind") === wanted) &&
        words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !match;
      shown += match ? 1 : 0;
    });
    count.textContent = shown + " of " + rows.length;
    empty.hidden = shown !== 0;
  }

  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { input.value = query; }
  input.addEventListener("input", filter);
  kind.addEventListener("change", filter);
  filter();
})();
