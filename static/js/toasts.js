/* The app's toasts (issue 17): one region (#toast in templates/layouts/app.html), filled three ways:
   - a whole page shows its pending messages there (the layout renders them);
   - an htmx answer's HX-Trigger header carries {"toast": {text, error}} (ratings_inbox/toasts.py,
     from the view's Django messages), drawn here;
   - answers with their own toast (a reply, a bulk action with its Undo) swap it in out of band.
   A toast stays a few seconds, an undo toast as long as its undo (bulk.js); × closes it. */
(function () {
  "use strict";

  var SECONDS = 6;
  var timer = null;

  function region() { return document.getElementById("toast"); }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var toasts = region();
      if (toasts && !toasts.querySelector("[data-undo-seconds]")) toasts.replaceChildren();
    }, SECONDS * 1000);
  }

  function show(detail) {
    var toasts = region();
    if (!toasts || !detail || !detail.text) return;
    var toast = document.createElement("div");
    toast.className = "toast" + (detail.error ? " toast-error" : "");
    var text = document.createElement("span");
    text.className = "toast-text";
    text.textContent = detail.text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("data-toast-close", "");
    close.setAttribute("aria-label", toasts.getAttribute("data-close-label") || "Close");
    close.textContent = "×";
    toast.appendChild(text);
    toast.appendChild(close);
    toasts.replaceChildren(toast);
    later();
  }

  document.addEventListener("toast", function (event) { show(event.detail); });
  document.addEventListener("click", function (event) {
    var toasts = region();
    if (toasts && event.target.closest && event.target.closest("#toast [data-toast-close]")) toasts.replaceChildren();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var toasts = region();
    if (toasts && toasts.firstElementChild) later();
  });
})();
