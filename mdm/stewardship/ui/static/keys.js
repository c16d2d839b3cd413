// Keyboard shortcuts of the review queue and the task page (progressive enhancement: every
// action is also a link or a button). Queue: j/k move, o or Enter open, x pick for bulk.
// Task page: m match, n no match (the reason field must be filled; empty, it gets the focus), s skip.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tr[data-task-id]"));
  var current = -1;

  function select(i) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("current", n === current); });
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function decide(testid) {
    var button = document.querySelector("[data-testid='" + testid + "']");
    var reason = document.getElementById("reason");
    if (!button || !reason) { return; }
    if (!reason.value.trim()) { reason.focus(); return; }
    button.click();
  }

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) {
      if (e.key === "Escape") { t.blur(); }
      return;
    }
    var row = rows[current];
    switch (e.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o": case "Enter":
        if (!row) { return; }
        window.location.href = row.getAttribute("data-href");
        break;
      case "x":
        if (!row) { return; }
        var box = row.querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; }
        break;
      case "m": decide("decide-match"); break;
      case "n": decide("decide-no-match"); break;
      case "s":
        var skip = document.querySelector("[data-testid='skip']");
        if (skip) { skip.click(); }
        break;
      default: return;
    }
    e.preventDefault();
  });
})();
