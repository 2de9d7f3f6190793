(function () {
  "use strict";
  var table = document.getElementById("students");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  if (!table || !search || !shown) { return; }
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function value(row, col, numeric) {
    var cell = row.cells[col];
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (!numeric) { return v.toLowerCase(); }
    var n = parseFloat(v);
    return isNaN(n) ? -Infinity : n;
  }

  function sortBy(col, ascending) {
    var numeric = headers[col].getAttribute("data-type") === "number";
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    headers[col].setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, col, numeric), y = value(b, col, numeric);
      var order = x < y ? -1 : (x > y ? 1 : 0);
      if (order === 0) { order = value(a, 0, false) < value(b, 0, false) ? -1 : 1; return order; }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function filter() {
    var query = search.value.trim().toLowerCase();
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var hit = query === "" || row.textContent.toLowerCase().indexOf(query) !== -1;
      row.hidden = !hit;
      if (hit) { count += 1; }
    });
    shown.textContent = count + " of " + body.rows.length;
  }

  headers.forEach(function (th, col) {
    var toggle = function () { sortBy(col, th.getAttribute("aria-sort") !== "ascending"); };
    th.addEventListener("click", toggle);
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
    });
  });
  search.addEventListener("input", filter);

  // index.html#sort=-total&q=ada opens sorted (a leading "-" sorts descending) and filtered
  var state = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
    var at = pair.indexOf("=");
    if (at > 0) {
      try { state[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { /* a malformed hash is ignored */ }
    }
  });
  if (state.sort) {
    var descending = state.sort.charAt(0) === "-";
    var key = descending ? state.sort.slice(1) : state.sort;
    headers.forEach(function (th, col) {
      if (th.getAttribute("data-key") === key) { sortBy(col, !descending); }
    });
  }
  if (state.q) { search.value = state.q; }
  filter();
}());
