/* The opened rating's case bar and composer (CASE-1..5): the composer's two modes, sending a
   note with Ctrl/Cmd+Enter, focus kept across the case bar's redraw, and toasts that go away.
   The keys (e resolve, a assign to me, r reply, n note) are data-shortcut attributes in the
   templates, handled by static/js/shortcuts.js. */
(function () {
  "use strict";

  var TOAST_SECONDS = 5;
  var toastTimer = null;

  // Choosing a mode (click or its key) puts the cursor in that mode's text.
  document.addEventListener("click", function (event) {
    var mode = event.target.closest && event.target.closest("label.mode");
    if (!mode) return;
    var area = document.getElementById(mode.getAttribute("for") === "mode-note" ? "note-body" : "reply-body");
    if (area) window.requestAnimationFrame(function () { area.focus(); });
  });

  // Ctrl/Cmd+Enter adds the note (the reply's own is in inbox.js).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "note-body") {
      event.preventDefault();
      if (event.target.form) event.target.form.requestSubmit();
    }
  });

  // The case bar is redrawn by each action: keep the keyboard where it was.
  var focused = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    focused = active && active.id && active.closest && active.closest("#case-bar") ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focused) return;
    var again = document.getElementById(focused);
    if (again) again.focus({preventScroll: true});
    focused = null;
  });

  // A toast stays a few seconds; a newer one restarts the count.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var region = event.detail.target;
    if (!region || region.id !== "toast" || !region.firstElementChild) return;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { region.replaceChildren(); }, TOAST_SECONDS * 1000);
  });
})();
