// The review page's behaviour: pick a document, link cards and highlights, filter by record type.
// Plain DOM code, no library and no network. Text is never written as HTML here.
(function () {
  "use strict";
  var docs = Array.prototype.slice.call(document.querySelectorAll("section.doc"));
  var links = Array.prototype.slice.call(document.querySelectorAll("nav.index a[data-target]"));
  var hiddenTypes = {};

  function words(value) { return value ? value.split(" ").filter(Boolean) : []; }

  function current() {
    for (var i = 0; i < docs.length; i++) { if (!docs[i].hidden) { return docs[i]; } }
    return null;
  }

  function clearSelection(section) {
    section.querySelectorAll("mark.active").forEach(function (m) { m.classList.remove("active"); });
    section.querySelectorAll(".card.selected").forEach(function (c) { c.classList.remove("selected"); });
  }

  function showDocument(id) {
    var target = document.getElementById(id);
    if (!target || !target.classList.contains("doc")) { return; }
    docs.forEach(function (section) { section.hidden = section !== target; });
    links.forEach(function (a) { a.parentNode.classList.toggle("current", a.getAttribute("data-target") === id); });
  }

  // Highlight the marks carrying any of the given span ids and scroll the first into view.
  function highlight(section, spanIds) {
    var wanted = {};
    words(spanIds).forEach(function (id) { wanted[id] = true; });
    var first = null;
    section.querySelectorAll("mark[data-spans]").forEach(function (mark) {
      var on = words(mark.getAttribute("data-spans")).some(function (id) { return wanted[id]; });
      mark.classList.toggle("active", on);
      if (on && !first) { first = mark; }
    });
    if (first) { first.scrollIntoView({ block: "center", behavior: "smooth" }); }
    return first;
  }

  function selectCard(card, spanIds) {
    var section = card.closest("section.doc");
    clearSelection(section);
    card.classList.add("selected");
    highlight(section, spanIds || card.getAttribute("data-spans"));
  }

  document.addEventListener("click", function (event) {
    // An index link switches at once; the hash it sets (for the back button and shared links)
    // arrives later as a hashchange, which shows the same document again.
    var link = event.target.closest("nav.index a[data-target]");
    if (link) {
      showDocument(link.getAttribute("data-target"));
      return;
    }
    var part = event.target.closest(".card .part[data-spans]");
    var card = event.target.closest(".card");
    if (card && !event.target.closest("summary")) {
      selectCard(card, part ? part.getAttribute("data-spans") : null);
      return;
    }
    var mark = event.target.closest("mark[data-records]");
    if (mark && !mark.classList.contains("off")) {
      var section = mark.closest("section.doc");
      clearSelection(section);
      var shown = null;
      words(mark.getAttribute("data-records")).forEach(function (id) {
        var target = document.getElementById(id);
        if (target && !target.classList.contains("hidden-type")) {
          target.classList.add("selected");
          target.classList.remove("flash");
          void target.offsetWidth;  // restart the flash animation
          target.classList.add("flash");
          if (!shown) { shown = target; }
        }
      });
      if (shown) { shown.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.classList && event.target.classList.contains("card")) {
      selectCard(event.target, null);
    }
  });

  // Filter by record type: cards and rejects of a hidden type disappear; a highlight stays only
  // while one of the types it stands for is shown.
  function applyFilter() {
    document.querySelectorAll(".card[data-type], .rejects tr[data-type]").forEach(function (el) {
      el.classList.toggle("hidden-type", !!hiddenTypes[el.getAttribute("data-type")]);
    });
    document.querySelectorAll("mark[data-spans]").forEach(function (mark) {
      var shown = Array.prototype.some.call(mark.classList, function (name) {
        return name.indexOf("t-") === 0 && !hiddenTypes[name.slice(2)];
      });
      mark.classList.toggle("off", !shown);
    });
  }
  document.querySelectorAll(".filter input[data-type]").forEach(function (box) {
    box.addEventListener("change", function () {
      hiddenTypes[box.getAttribute("data-type")] = !box.checked;
      applyFilter();
    });
  });

  var search = document.getElementById("doc-search");
  if (search) {
    search.addEventListener("input", function () {
      var needle = search.value.toLowerCase();
      document.querySelectorAll("nav.index li[data-doc]").forEach(function (li) {
        li.hidden = needle !== "" && li.getAttribute("data-doc").toLowerCase().indexOf(needle) < 0;
      });
    });
  }

  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    if (target.classList.contains("doc")) { showDocument(id); return; }
    var section = target.closest("section.doc");
    if (section) { showDocument(section.id); }
    if (target.classList.contains("card")) { selectCard(target, null); target.scrollIntoView({ block: "nearest" }); }
  }
  window.addEventListener("hashchange", fromHash);
  if (docs.length) { showDocument(docs[0].id); }
  fromHash();
  document.body.setAttribute("data-ready", "1");
})();
