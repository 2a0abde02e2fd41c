/* Keyboard shortcuts and small behaviours of the ratings inbox (INB-9, THR-4), the keys through the
   app's registry (static/js/shortcuts.js), so "?" lists them:
   j / ArrowDown: next rating (opens it when a rating is open), k / ArrowUp: previous, o / Enter: open,
   /: search; r (reply) and u (mark unread) are data-shortcut buttons of the templates;
   Escape: close the side panel, or leave the composer. */
(function () {
  "use strict";

  function rows() { return Array.from(document.querySelectorAll("#rows .row-link")); }

  function currentIndex(links) {
    var active = document.activeElement;
    var index = links.indexOf(active);
    if (index >= 0) return index;
    var open = document.querySelector('#rows .row[aria-current="true"] .row-link');
    return open ? links.indexOf(open) : -1;
  }

  function move(step) {
    var links = rows();
    if (!links.length) return;
    var index = currentIndex(links) + step;
    index = Math.max(0, Math.min(links.length - 1, index));
    links[index].focus();
    links[index].scrollIntoView({block: "nearest"});
  }

  window.inboxOpenId = function () {
    var detail = document.getElementById("rating-detail");
    return detail ? detail.getAttribute("data-rating-id") : "";
  };

  function markOpen(row) {
    document.querySelectorAll('#rows .row[aria-current="true"]').forEach(function (r) {
      r.removeAttribute("aria-current");
    });
    if (row) row.setAttribute("aria-current", "true");
    var inbox = document.getElementById("inbox");
    if (inbox) inbox.classList.add("has-open");
  }

  // Escape closes a side panel (history, profile, invoice) wherever the focus is.
  document.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey || event.key !== "Escape") return;
    var drawer = document.getElementById("drawer");
    if (drawer && drawer.innerHTML.trim()) { drawer.innerHTML = ""; event.preventDefault(); }
  });

  // Escape leaves the composer (INB-9): the keys work again from the opened rating's row, so j / k go
  // on from there. A menu open in the composer (the quick replies' "/") closes first.
  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (event.key !== "Escape" || event.defaultPrevented || !area || (area.id !== "reply-body" && area.id !== "note-body")) return;
    event.preventDefault();
    var open = document.querySelector('#rows .row[aria-current="true"] .row-link');
    var pane = document.getElementById("detail-pane");
    area.blur();
    if (open) open.focus({preventScroll: true});
    else if (pane) pane.focus({preventScroll: true});
  });

  /* With a rating open, j / k open the next / previous one in the list, one key per rating as in a
     mail client; with none open they move the focus and o / Enter opens (INB-9). The labels, in the
     page's language, are data attributes of the list pane. */
  function ratingOpen() { return !!document.getElementById("rating-detail"); }
  function openRow(links) {
    var open = document.querySelector('#rows .row[aria-current="true"] .row-link');
    return open ? links.indexOf(open) : -1;
  }
  function step(delta) {
    var links = rows();
    if (!links.length) return;
    var from = ratingOpen() ? openRow(links) : -1;
    if (from < 0) { move(delta); return; }
    var index = Math.max(0, Math.min(links.length - 1, from + delta));
    if (index === from) return;
    links[index].focus();
    links[index].scrollIntoView({block: "nearest"});
    links[index].click();
  }
  function label(name) {
    var pane = document.getElementById("list-pane");
    return pane ? pane.getAttribute("data-label-" + name) : null;
  }
  function onRow() { return rows().indexOf(document.activeElement) >= 0; }

  if (window.Shortcuts) {
    Shortcuts.register({key: "j", label: label("open-next"), run: function () { step(1); }, when: ratingOpen});
    Shortcuts.register({key: "k", label: label("open-previous"), run: function () { step(-1); }, when: ratingOpen});
    Shortcuts.register({key: "j", label: label("next"), run: function () { move(1); }});
    Shortcuts.register({key: "k", label: label("previous"), run: function () { move(-1); }});
    Shortcuts.register({key: "ArrowDown", run: function () { step(1); }});
    Shortcuts.register({key: "ArrowUp", run: function () { step(-1); }});
    Shortcuts.register({key: "o", label: label("open"), run: function () {
      var links = rows();
      var index = currentIndex(links);
      if (index >= 0) links[index].click();
    }, when: function () { return currentIndex(rows()) >= 0; }});
    Shortcuts.register({key: "Enter", run: function () { document.activeElement.click(); }, when: onRow});
    Shortcuts.register({key: "/", label: label("search"), run: function () {
      document.getElementById("id_q").focus();
    }, when: function () { return !!document.getElementById("id_q"); }});
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".row-link");
    if (link) markOpen(link.closest(".row"));
    var close = event.target.closest && event.target.closest("[data-close-drawer]");
    if (close) {
      var drawer = document.getElementById("drawer");
      if (drawer) drawer.innerHTML = "";
    }
  });

  // A quick reply is inserted at the cursor and stays editable (THR-4).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-insert-into]") || !select.value) return;
    var area = document.getElementById(select.getAttribute("data-insert-into"));
    if (area) {
      var start = area.selectionStart || 0, end = area.selectionEnd || 0;
      var before = area.value.slice(0, start), after = area.value.slice(end);
      area.value = before + select.value + after;
      area.focus();
      var caret = (before + select.value).length;
      area.setSelectionRange(caret, caret);
    }
    select.value = "";
  });

  // Ctrl/Cmd+Enter sends the reply.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "reply-body") {
      event.preventDefault();
      var form = event.target.form;
      if (form) form.requestSubmit();
    }
  });

  // The poll redraws the first page of rows: keep the keyboard focus on the same rating.
  var focusedRow = null;
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "rows") {
      var active = document.activeElement;
      var row = active && active.closest && active.closest("#rows .row");
      focusedRow = row ? row.id : null;
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (focusedRow && event.detail.target && event.detail.target.id === "rows") {
      var link = document.querySelector("#" + focusedRow + " .row-link");
      if (link) link.focus({preventScroll: true});
      focusedRow = null;
    }
  });

  // The tab's title follows what the page shows after every swap (open, reply, poll, filter, bulk):
  // "(unread comments) customer · Inbox · merchant", as the server wrote it at first.
  function retitle() {
    var inbox = document.getElementById("inbox");
    if (!inbox) return;
    var counter = document.querySelector('[data-counter="unread_comments"]');
    var unread = counter ? counter.textContent.trim() : "";
    var detail = document.getElementById("rating-detail");
    var name = detail ? detail.getAttribute("data-customer-name") : "";
    document.title = (unread && unread !== "0" ? "(" + unread + ") " : "") + (name ? name + " · " : "")
      + inbox.getAttribute("data-title");
  }
  document.addEventListener("htmx:afterSettle", retitle);
  window.addEventListener("popstate", function () { window.setTimeout(retitle, 0); });

  function narrow() { return window.matchMedia("(max-width: 640px)").matches; }

  // The opened rating's context (visit, invoice, gifts, customer) starts folded on a phone.
  function foldNarrow(root) {
    if (!narrow()) return;
    root.querySelectorAll("details[data-fold-narrow]").forEach(function (details) { details.open = false; });
  }

  // The previous / next buttons of an opened rating: as k / j, off at either end of the list.
  function stepButtons() {
    var links = rows();
    var index = openRow(links);
    document.querySelectorAll("[data-detail-step]").forEach(function (button) {
      var delta = parseInt(button.getAttribute("data-detail-step"), 10);
      button.disabled = index < 0 || index + delta < 0 || index + delta >= links.length;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-detail-step]");
    if (button && !button.disabled) step(parseInt(button.getAttribute("data-detail-step"), 10));
  });
  document.addEventListener("htmx:oobAfterSwap", stepButtons);
  // The browser's back and forward restore htmx's snapshot, taken after the click that marked the
  // list as left (has-open): on a phone the list shows again unless a rating is open in it.
  document.addEventListener("htmx:historyRestore", function () {
    var inbox = document.getElementById("inbox");
    if (inbox) inbox.classList.toggle("has-open", !!document.getElementById("rating-detail"));
    stepButtons();
  });
  document.addEventListener("DOMContentLoaded", function () {
    foldNarrow(document);
    stepButtons();
    resizer();
  });

  /* The list's width (issue 17): the separator between the panes is dragged, or moved with the
     arrow keys when focused; the width is kept in this browser. Wide screens only. */
  var WIDTH_KEY = "inbox.listWidth";
  function resizer() {
    var inbox = document.getElementById("inbox");
    var handle = inbox && inbox.querySelector(".pane-resizer");
    var pane = document.getElementById("list-pane");
    if (!handle || !pane || !window.matchMedia("(min-width: 1024px)").matches) return;
    function bounds() { return {min: 340, max: Math.max(340, Math.round(inbox.clientWidth * 0.6))}; }
    function apply(width) {
      var b = bounds();
      width = Math.round(Math.max(b.min, Math.min(b.max, width)));
      // On the root element, outside the body htmx keeps for history: a style attribute in a
      // restored snapshot would be inline style, which the Content-Security-Policy refuses.
      document.documentElement.style.setProperty("--list-width", width + "px");
      handle.setAttribute("aria-valuemin", b.min);
      handle.setAttribute("aria-valuemax", b.max);
      handle.setAttribute("aria-valuenow", width);
      return width;
    }
    var stored = parseInt(window.localStorage.getItem(WIDTH_KEY) || "", 10);
    apply(stored > 0 ? stored : pane.getBoundingClientRect().width);
    inbox.classList.add("is-resizable");
    handle.hidden = false;
    function keep(width) { window.localStorage.setItem(WIDTH_KEY, String(apply(width))); }
    handle.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      inbox.classList.add("is-resizing");
      var left = inbox.getBoundingClientRect().left;
      function moved(e) { apply(e.clientX - left); }
      function done(e) {
        keep(e.clientX - left);
        inbox.classList.remove("is-resizing");
        handle.removeEventListener("pointermove", moved);
        handle.removeEventListener("pointerup", done);
      }
      handle.addEventListener("pointermove", moved);
      handle.addEventListener("pointerup", done);
    });
    handle.addEventListener("keydown", function (event) {
      var now = parseInt(handle.getAttribute("aria-valuenow"), 10);
      var delta = {ArrowLeft: -24, ArrowRight: 24}[event.key];
      if (!delta) return;
      event.preventDefault();
      keep(now + delta);
    });
  }

  // After the detail pane changes, focus it for screen readers only when opened from the list.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "detail-pane") {
      // A rating opened from the history keeps the history beside it (DET-2); otherwise close panels.
      var drawer = document.getElementById("drawer");
      var from = event.detail.requestConfig && event.detail.requestConfig.elt;
      if (drawer && !(from && drawer.contains(from))) drawer.innerHTML = "";
      var id = window.inboxOpenId();
      document.querySelectorAll("#drawer .history li").forEach(function (li) {
        if (li.getAttribute("data-rating-id") === id) li.setAttribute("aria-current", "true");
        else li.removeAttribute("aria-current");
      });
      var row = id && document.getElementById("row-" + id);
      markOpen(row || null);
      // On a phone the opened rating is a screen of its own: from its top, context folded (INB-7).
      if (narrow()) {
        foldNarrow(target);
        target.scrollIntoView({block: "start"});
      }
      stepButtons();
    }
    // Back to the list from an opened rating (a phone's back control): the list again, on that rating.
    var origin = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (target && target.id === "list-pane" && origin && origin.hasAttribute && origin.hasAttribute("data-detail-back")) {
      var was = window.inboxOpenId();
      var inbox = document.getElementById("inbox");
      if (inbox) inbox.classList.remove("has-open");
      document.getElementById("detail-pane").replaceChildren();
      var back = was && document.querySelector("#row-" + was + " .row-link");
      if (back) { back.scrollIntoView({block: "center"}); back.focus({preventScroll: true}); }
    }
    if (target && target.id === "drawer") {
      var closeButton = target.querySelector("[data-close-drawer]");
      if (closeButton) closeButton.focus();
    }
  });
})();
