/* Quick replies typed into the composer (THR-4): "/" at the start of the reply or of a word opens a
   menu of the quick replies, already filled for the opened rating's customer (AR-2, filled by the
   server); what follows the "/" filters them by title and text (accents and case ignored);
   ArrowDown / ArrowUp choose, Enter (or a click) puts the chosen one in place of "/…", Esc closes
   the menu and stays in the composer. */
(function () {
  "use strict";

  var open = null;  // {area, start: index of the "/", index: chosen option}

  function menu() { return document.getElementById("quick-menu"); }
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function shown() {
    return Array.prototype.filter.call(menu().querySelectorAll(".quick-option"), function (o) { return !o.hidden; });
  }
  function typed() { return open.area.value.slice(open.start + 1, open.area.selectionStart); }

  function close() {
    var list = menu();
    if (list) list.hidden = true;
    if (open) open.area.removeAttribute("aria-activedescendant");
    open = null;
  }

  function choose(index) {
    var options = shown();
    menu().querySelectorAll('.quick-option[aria-selected="true"]').forEach(function (o) {
      o.setAttribute("aria-selected", "false");
    });
    if (!options.length) {
      open.index = -1;
      open.area.removeAttribute("aria-activedescendant");
      return;
    }
    open.index = (index + options.length) % options.length;
    var option = options[open.index];
    option.setAttribute("aria-selected", "true");
    open.area.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({block: "nearest"});
  }

  function filter() {
    var words = fold(typed()).split(/\s+/).filter(Boolean);
    var any = false;
    menu().querySelectorAll(".quick-option").forEach(function (option) {
      var text = fold(option.querySelector(".quick-title").textContent + " " + option.getAttribute("data-body"));
      option.hidden = !words.every(function (word) { return text.indexOf(word) >= 0; });
      any = any || !option.hidden;
    });
    menu().querySelector(".quick-empty").hidden = any;
    menu().hidden = false;
    choose(0);
  }

  function insert(option) {
    var area = open.area;
    var body = option.getAttribute("data-body");
    var before = area.value.slice(0, open.start);
    var after = area.value.slice(area.selectionStart);
    area.value = before + body + after;
    var caret = (before + body).length;
    close();
    area.focus();
    area.setSelectionRange(caret, caret);
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area.id !== "reply-body" || !menu()) return;
    var caret = area.selectionStart;
    if (open) {
      if (open.area !== area || caret <= open.start || area.value.charAt(open.start) !== "/" || typed().indexOf("\n") >= 0) close();
      else filter();
      return;
    }
    if (event.inputType === "insertText" && event.data === "/" && (caret === 1 || /\s/.test(area.value.charAt(caret - 2)))) {
      open = {area: area, start: caret - 1, index: -1};
      filter();
    }
  });

  // In the capture phase, before the composer's own Escape (leave it, inbox.js) and Ctrl+Enter (send).
  document.addEventListener("keydown", function (event) {
    if (!open || event.target !== open.area) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      choose(open.index + (event.key === "ArrowDown" ? 1 : -1));
      event.preventDefault();
    } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      var option = shown()[open.index];
      if (option) { insert(option); event.preventDefault(); } else close();
    } else if (event.key === "Escape") {
      close();
      event.preventDefault();
    }
  }, true);

  // A click chooses without taking the focus from the composer.
  document.addEventListener("mousedown", function (event) {
    if (open && event.target.closest && event.target.closest("#quick-menu")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = open && event.target.closest && event.target.closest("#quick-menu .quick-option");
    if (option) insert(option);
  });
  document.addEventListener("focusout", function (event) {
    if (open && event.target === open.area) close();
  });
  document.addEventListener("htmx:beforeSwap", function () {
    if (open && !document.contains(open.area)) open = null;
  });
})();
