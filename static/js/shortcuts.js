/* The keyboard shortcuts of the app pages, one registry for every page, and the "?" overlay
   that lists them (CASE-1..5, INB-9).

   Two ways to add a shortcut:
   - in a template: an element with data-shortcut="e" and data-shortcut-label="Resolve the case"
     (translated there) is clicked when "e" is pressed while it is on the page, shown and enabled;
   - in a script, for keys that are not one button:
       Shortcuts.register({key: "j", label: someTranslatedText, run: function (event) {...},
                           when: function () { return true; }});   // `when` is optional
     register() returns a function that removes the shortcut again.
   Keys are ignored while the focus is in a text field, a select or an editable element, with
   Ctrl, Alt or Meta held, and while a dialog is open. Script entries are tried before markup,
   in the order registered; the first one that applies handles the key. The registry listens
   in the capture phase and does not stop the event, so older handlers keep working. */
(function () {
  "use strict";

  var entries = [];
  var TEXT_INPUTS = /^(text|search|email|url|tel|password|number|date|datetime-local|month|week|time)$/;

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) return true;
    return tag === "INPUT" && TEXT_INPUTS.test(target.type || "text");
  }

  function shown(element) {
    return !element.disabled && element.getClientRects().length > 0 && !element.closest("[hidden], [inert]");
  }

  function markup() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-shortcut]"), shown);
  }

  function applies(entry) {
    return !entry.when || entry.when();
  }

  function find(key) {
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].key === key && applies(entries[i])) return entries[i].run;
    }
    var element = markup().filter(function (el) { return el.getAttribute("data-shortcut") === key; })[0];
    return element ? function () { element.click(); } : null;
  }

  function register(entry) {
    if (!entry || !entry.key || typeof entry.run !== "function") throw new Error("Shortcuts.register needs a key and run()");
    entries.push(entry);
    return function () { entries = entries.filter(function (e) { return e !== entry; }); };
  }

  /* What applies now, each key once: [{key, label}], for the overlay and for tests. */
  function list() {
    var seen = {};
    var items = [];
    function add(key, label) {
      if (seen[key] || !label) return;
      seen[key] = true;
      items.push({key: key, label: label});
    }
    entries.forEach(function (entry) { if (applies(entry)) add(entry.key, entry.label); });
    markup().forEach(function (el) { add(el.getAttribute("data-shortcut"), el.getAttribute("data-shortcut-label")); });
    return items;
  }

  function openHelp() {
    var dialog = document.getElementById("shortcut-help");
    var target = document.getElementById("shortcut-list");
    if (!dialog || !target || dialog.open) return;
    target.replaceChildren.apply(target, list().map(function (item) {
      var row = document.createElement("div");
      var dt = document.createElement("dt");
      var kbd = document.createElement("kbd");
      var dd = document.createElement("dd");
      kbd.textContent = item.key;
      dd.textContent = item.label;
      dt.appendChild(kbd);
      row.appendChild(dt);
      row.appendChild(dd);
      return row;
    }));
    dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    var run = find(event.key);
    if (!run) return;
    event.preventDefault();
    run(event);
  }, true);

  window.Shortcuts = {register: register, list: list, openHelp: openHelp, typing: typing};

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("shortcut-help");
    if (dialog) register({key: "?", label: dialog.getAttribute("data-shortcut-label"), run: openHelp});
  });
})();
