/* Keyboard shortcuts and small behaviours of the ratings inbox (INB-9, THR-4).
   j / ArrowDown: next rating, k / ArrowUp: previous, o / Enter: open,
   r: focus the reply, u: mark unread, Escape: close the side panel, /: search. */
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

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
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

  document.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "Escape") {
      var drawer = document.getElementById("drawer");
      if (drawer && drawer.innerHTML.trim()) { drawer.innerHTML = ""; event.preventDefault(); }
      return;
    }
    if (typing(event.target)) return;
    var links;
    switch (event.key) {
      case "j": case "ArrowDown": move(1); event.preventDefault(); break;
      case "k": case "ArrowUp": move(-1); event.preventDefault(); break;
      case "o": case "Enter":
        links = rows();
        var index = currentIndex(links);
        if (event.key === "Enter" && links.indexOf(document.activeElement) < 0) return;
        if (index >= 0) { links[index].click(); event.preventDefault(); }
        break;
      case "r":
        var reply = document.getElementById("reply-body");
        if (reply) { reply.focus(); event.preventDefault(); }
        break;
      case "u":
        var unread = document.getElementById("mark-unread");
        if (unread) { unread.click(); event.preventDefault(); }
        break;
      case "/":
        var search = document.getElementById("id_q");
        if (search) { search.focus(); event.preventDefault(); }
        break;
    }
  });

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
      // On a narrow screen the opened rating is below the list: bring it into view (INB-7).
      if (window.matchMedia("(max-width: 640px)").matches) target.scrollIntoView({block: "start"});
    }
    if (target && target.id === "drawer") {
      var closeButton = target.querySelector("[data-close-drawer]");
      if (closeButton) closeButton.focus();
    }
  });
})();
