/* Filters of the claims register (markup: templates/claim-register.html.j2).
   The choices live in the page's address (?essay=B&now=contradicted&q=freeze), so a filtered view
   can be shared, survives a reload and comes back with the Back button; without JavaScript the whole
   table shows. The search matches the claim's id and paraphrase, ignoring case. */
(function () {
  "use strict";
  function controls(box) { return box.querySelectorAll("[data-filter]"); }

  function wanted(box) {
    var want = {};
    controls(box).forEach(function (c) { want[c.dataset.filter] = c.value.trim(); });
    return want;
  }

  function matches(row, want) {
    return Object.keys(want).every(function (key) {
      var value = want[key];
      if (!value) { return true; }
      if (key === "q") { return row.textContent.toLowerCase().indexOf(value.toLowerCase()) !== -1; }
      return row.dataset[key] === value;
    });
  }

  function apply(box) {
    var want = wanted(box);
    var rows = document.querySelectorAll("#" + box.dataset.target + " tbody tr");
    var shown = 0;
    rows.forEach(function (row) {
      var ok = matches(row, want);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var count = box.querySelector(".nkb-filter-count");
    if (count) { count.textContent = shown + " of " + rows.length + " claims"; }
    var none = box.parentNode.querySelector(".nkb-filter-none");
    if (none) { none.hidden = shown !== 0; }
  }

  function toAddress(box) {
    var url = new URL(window.location.href);
    var want = wanted(box);
    Object.keys(want).forEach(function (key) {
      if (want[key]) { url.searchParams.set(key, want[key]); } else { url.searchParams.delete(key); }
    });
    if (url.href !== window.location.href) { window.history.pushState({ nkbFilters: true }, "", url.href); }
  }

  function fromAddress(box) {
    var params = new URL(window.location.href).searchParams;
    controls(box).forEach(function (c) {
      var value = params.get(c.dataset.filter) || "";
      if (c.tagName === "SELECT" && !Array.prototype.some.call(c.options, function (o) { return o.value === value; })) {
        value = "";  // an address naming a value that is not on the list shows everything
      }
      c.value = value;
    });
    apply(box);
  }

  function reset(box) {
    controls(box).forEach(function (c) { c.value = ""; });
    apply(box);
    toAddress(box);
  }

  function init() {
    document.querySelectorAll(".nkb-filters").forEach(function (box) {
      var typing;
      controls(box).forEach(function (c) {
        c.addEventListener("change", function () { apply(box); toAddress(box); });
        if (c.type === "search") {
          c.addEventListener("input", function () {
            apply(box);
            clearTimeout(typing);
            typing = setTimeout(function () { toAddress(box); }, 400);
          });
        }
      });
      box.addEventListener("submit", function (e) { e.preventDefault(); });
      box.addEventListener("reset", function (e) { e.preventDefault(); reset(box); });
      var link = box.parentNode.querySelector(".nkb-filter-reset-link");
      if (link) { link.addEventListener("click", function () { reset(box); }); }
      window.addEventListener("popstate", function () { fromAddress(box); });
      fromAddress(box);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
