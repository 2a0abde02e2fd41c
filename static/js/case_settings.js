/* The case settings page (SLA-1): the weekly opening-hours editor. "Add a second interval"
   reveals the hidden one, the cross hides and empties it, "Copy Monday" gives Tuesday to Friday
   Monday's hours. Which days and whether the week show is CSS (:has), without this script. */
(function () {
  "use strict";

  function form() { return document.getElementById("case-settings-form"); }

  function dayRow(code) { return form().querySelector('.cs-day[data-day="' + code + '"]'); }

  document.addEventListener("click", function (event) {
    if (!form() || !form().contains(event.target)) return;
    var add = event.target.closest("[data-add-interval]");
    var remove = event.target.closest("[data-remove-interval]");
    var copy = event.target.closest("[data-copy-monday]");
    if (add) {
      var hidden = add.closest(".cs-intervals").querySelector(".cs-interval[hidden]");
      if (hidden) {
        hidden.hidden = false;
        hidden.querySelector("input").focus();
      }
    } else if (remove) {
      var interval = remove.closest(".cs-interval");
      interval.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      interval.hidden = true;
    } else if (copy) {
      var monday = dayRow("mon");
      var times = Array.prototype.map.call(monday.querySelectorAll(".cs-interval"), function (interval) {
        return { hidden: interval.hidden, values: Array.prototype.map.call(interval.querySelectorAll("input"), function (i) { return i.value; }) };
      });
      var open = monday.querySelector("[data-day-open]").checked;
      ["tue", "wed", "thu", "fri"].forEach(function (code) {
        var row = dayRow(code);
        row.querySelector("[data-day-open]").checked = open;
        row.querySelectorAll(".cs-interval").forEach(function (interval, index) {
          var source = times[index] || { hidden: true, values: ["", ""] };
          interval.hidden = index > 0 && source.hidden;
          interval.querySelectorAll("input").forEach(function (input, n) { input.value = source.hidden ? "" : source.values[n]; });
        });
      });
    }
  });
})();
