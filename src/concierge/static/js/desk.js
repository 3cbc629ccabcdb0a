// The agents' desk: keyboard shortcuts, live list refresh, tick-all. CSP-safe (no inline code);
// every page works without this file.
(function () {
  "use strict";
  if (window.conciergeDesk) return;
  window.conciergeDesk = true;

  var POLL_MS = 20000;
  var selected = null; // the data-url of the selected list row, kept across refreshes

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-ticket-row]"));
  }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("is-selected"); r.removeAttribute("aria-current"); });
    if (!row) return;
    row.classList.add("is-selected");
    row.setAttribute("aria-current", "true");
    selected = row.getAttribute("data-url");
    var link = row.querySelector("a");
    if (link) link.focus();
  }

  function current() {
    var list = rows();
    for (var i = 0; i < list.length; i++) {
      if (list[i].getAttribute("data-url") === selected) return i;
    }
    return -1;
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = current();
    index = index === -1 ? (step > 0 ? 0 : list.length - 1) :
      Math.max(0, Math.min(list.length - 1, index + step));
    select(list[index]);
  }

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    fields.csrfmiddlewaretoken = csrf();
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function focusReply(visibility) {
    var radio = document.querySelector("input[name=visibility][value=" + visibility + "]");
    var body = document.getElementById("reply-body");
    if (!radio || !body) return false;
    radio.checked = true;
    body.focus();
    body.scrollIntoView({ block: "center" });
    return true;
  }

  function help() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) help();
  });

  document.addEventListener("keydown", function (event) {
    // Ctrl/Cmd + Enter sends the message being written.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        event.target.id === "reply-body") {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var row = rows()[current()];
    var handled = true;
    switch (event.key) {
      case "?": help(); break;
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter":
        if (!row || !(event.target === document.body || row.contains(event.target))) {
          handled = false;
          break;
        }
        window.location.href = row.getAttribute("data-url");
        break;
      case "o":
        if (row) { window.location.href = row.getAttribute("data-url"); } else { handled = false; }
        break;
      case "/":
        var search = document.getElementById("desk-q");
        if (search) { search.focus(); search.select(); } else { handled = false; }
        break;
      case "a":
        var claim = document.getElementById("claim-button");
        if (claim) { claim.click(); }
        else if (row) { post(row.getAttribute("data-claim-url"), { assignee: "me", next: window.location.pathname + window.location.search }); }
        else { handled = false; }
        break;
      case "r": handled = focusReply("public"); break;
      case "n": handled = focusReply("internal"); break;
      case "s":
        var status = document.getElementById("status-select");
        if (status) { status.focus(); status.scrollIntoView({ block: "center" }); } else { handled = false; }
        break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  // Tick all rows of the page.
  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-check-all]")) return;
    var table = event.target.closest("table");
    table.querySelectorAll("input[name=ids]").forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  // Refresh the list every 20 s while the tab is visible and the agent is not in the middle of
  // something (ticked rows, focus inside the bulk bar).
  function busy(results) {
    if (results.querySelector("input[name=ids]:checked")) return true;
    var active = document.activeElement;
    return !!(active && results.contains(active) && active.matches("select, input, button"));
  }

  setInterval(function () {
    if (document.visibilityState !== "visible" || !window.htmx) return;
    var results = document.querySelector("[data-desk-poll]");
    if (results && !busy(results)) window.htmx.trigger(results, "desk:poll");
  }, POLL_MS);

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !window.htmx) return;
    var results = document.querySelector("[data-desk-poll]");
    if (results && !busy(results)) window.htmx.trigger(results, "desk:poll");
  });

  // Keep the selected row selected after a refresh, without stealing focus.
  document.addEventListener("htmx:afterSwap", function () {
    var index = current();
    if (index === -1) return;
    var row = rows()[index];
    row.classList.add("is-selected");
    row.setAttribute("aria-current", "true");
  });
})();
