/* Bulk selection and actions of the inbox list (CASE-8), the undo toast, and the view tabs'
   scroll position on a narrow screen (CASE-6).
   Tick a row, shift-click another for the range between, tick the page, or take every rating
   of the filter ("select all N matching"); the bar at the bottom acts on them in one request.
   x: tick or untick the focused (or opened) row. The selection survives the poll's redraws. */
(function () {
  "use strict";

  var selected = new Set();
  var allMatching = 0;       // N when "every rating of the filter" was chosen, else 0
  var lastClicked = null;    // the checkbox of the last plain click, for shift-click ranges
  var toastTimer = null;

  function form() { return document.getElementById("bulk-form"); }
  function checks() { return Array.from(document.querySelectorAll("#rows .row-check")); }

  // Keys: through the app's shortcut registry (static/js/shortcuts.js), so they appear in its "?" help.
  function shortcut(key, label, run, when) {
    if (window.Shortcuts) window.Shortcuts.register({key: key, label: label, run: run, when: when});
  }

  function render() {
    var bar = form();
    var boxes = checks();
    boxes.forEach(function (box) {
      box.checked = selected.has(box.value);
      box.closest(".row").classList.toggle("is-selected", box.checked);
    });
    var onPage = boxes.filter(function (box) { return box.checked; }).length;
    var page = document.getElementById("select-page");
    if (page) {
      page.checked = boxes.length > 0 && onPage === boxes.length;
      page.indeterminate = onPage > 0 && onPage < boxes.length;
    }
    if (!bar) return;
    var count = allMatching || selected.size;
    bar.hidden = count === 0;
    document.body.classList.toggle("has-bulk-selection", count > 0);
    bar.elements.all.value = allMatching ? "1" : "";
    var text = allMatching ? bar.getAttribute("data-all-selected")
      : (count === 1 ? bar.getAttribute("data-selected-one") : bar.getAttribute("data-selected-many"));
    document.getElementById("bulk-count").textContent = text.replace("{n}", count.toLocaleString(document.documentElement.lang || undefined));
    var all = document.getElementById("bulk-all");
    if (all) {
      // Offer "every rating of the filter" once the whole page is ticked.
      var wholePage = boxes.length > 0 && onPage === boxes.length && !allMatching;
      if (wholePage && !all.getAttribute("data-asked")) {
        all.setAttribute("data-asked", "1");
        if (window.htmx) window.htmx.trigger(all, "bulk-page-selected");
      }
      if (!wholePage) { all.removeAttribute("data-asked"); all.innerHTML = ""; }
      all.hidden = !wholePage;
    }
  }

  function clearSelection() {
    selected.clear();
    allMatching = 0;
    lastClicked = null;
    render();
  }

  function setBox(box, on) {
    if (on) selected.add(box.value); else selected.delete(box.value);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("row-check")) {
      var boxes = checks();
      if (event.shiftKey && lastClicked && boxes.indexOf(lastClicked) >= 0) {
        var from = boxes.indexOf(lastClicked), to = boxes.indexOf(target);
        var low = Math.min(from, to), high = Math.max(from, to);
        for (var i = low; i <= high; i++) setBox(boxes[i], target.checked);
      } else {
        setBox(target, target.checked);
      }
      lastClicked = target;
      allMatching = 0;
      render();
      return;
    }
    if (target.id === "select-page") {
      checks().forEach(function (box) { setBox(box, target.checked); });
      allMatching = 0;
      render();
      return;
    }
    var all = target.closest && target.closest("[data-bulk-all]");
    if (all) {
      allMatching = parseInt(all.getAttribute("data-bulk-all"), 10) || 0;
      render();
      return;
    }
    if (target.closest && target.closest("[data-bulk-clear]")) { clearSelection(); return; }
    var action = target.closest && target.closest("button[data-bulk-action]");
    if (action) submit(action.getAttribute("data-bulk-action"), action.getAttribute("data-bulk-value") || "");
    if (target.closest && target.closest("[data-toast-close]")) closeToast();
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-bulk-action]") && select.value) {
      var value = select.value;
      select.value = "";
      submit(select.getAttribute("data-bulk-action"), value);
    }
  });

  function submit(action, value) {
    var bar = form();
    if (!bar || (!selected.size && !allMatching)) return;
    bar.elements.action.value = action;
    bar.elements.value.value = value;
    // Ticked rows that a redraw took off the page still count: post them as hidden ids.
    bar.querySelectorAll("input[data-kept-id]").forEach(function (input) { input.remove(); });
    var shown = new Set(checks().map(function (box) { return box.value; }));
    selected.forEach(function (id) {
      if (shown.has(id) || allMatching) return;
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "ids"; input.value = id; input.setAttribute("data-kept-id", "");
      bar.appendChild(input);
    });
    bar.requestSubmit();
  }

  var bar = form();
  function focusedRow() {
    var active = document.activeElement;
    return (active && active.closest && active.closest("#rows .row"))
      || document.querySelector('#rows .row[aria-current="true"]');
  }
  shortcut("x", (bar && bar.getAttribute("data-shortcut-x")) || "x", function () {
    var box = focusedRow().querySelector(".row-check");
    setBox(box, !box.checked);
    lastClicked = box;
    allMatching = 0;
    render();
  }, function () { var row = focusedRow(); return !!(row && row.querySelector(".row-check")); });

  // A refused bulk action (400) still shows its toast.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 400 && elt && elt.closest && (elt.closest("#bulk-form") || elt.closest(".toast-undo"))) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "bulk-form" && event.detail.successful) clearSelection();
  });

  // Another list (view, filter, sort) starts with nothing ticked; a redraw of the same list keeps it.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "list-pane") clearSelection();
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "toast") startToast();
  });
  // Rows redrawn by the poll or added by "Load more" show the selection too.
  document.addEventListener("htmx:afterSettle", render);

  function closeToast() {
    var region = document.getElementById("toast");
    if (region) region.innerHTML = "";
    if (toastTimer) { clearTimeout(toastTimer); toastTimer = null; }
  }

  function startToast() {
    if (toastTimer) clearTimeout(toastTimer);
    var toast = document.querySelector("#toast .toast");
    if (!toast) return;
    var seconds = parseInt(toast.getAttribute("data-undo-seconds"), 10) || 6;
    toastTimer = setTimeout(closeToast, seconds * 1000);
  }

  // On a narrow screen the tabs scroll sideways: keep the current one in sight.
  function showActiveView() {
    var tabs = document.querySelector(".views-tabs");
    var active = tabs && tabs.querySelector(".view-tab.is-active");
    if (!active || tabs.scrollWidth <= tabs.clientWidth) return;
    var item = active.parentElement;
    tabs.scrollLeft = Math.max(0, item.offsetLeft - (tabs.clientWidth - item.offsetWidth) / 2);
  }
  document.addEventListener("htmx:afterSettle", showActiveView);

  document.addEventListener("DOMContentLoaded", function () { render(); showActiveView(); });
})();
