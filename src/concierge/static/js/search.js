// The search box's drop-down (ARIA combobox with a listbox of grouped options) and the
// suggestions beside request forms. Without this file the search box submits to /search/.
(function () {
  "use strict";

  // --- header search: the results come from htmx; this file does the keyboard and focus -----
  function parts(input) {
    var form = input.closest("[data-site-search]");
    return {
      form: form,
      popup: document.getElementById(input.getAttribute("aria-controls")),
      status: form && form.querySelector("[role=status]")
    };
  }

  function options(popup) {
    return Array.prototype.slice.call(popup.querySelectorAll("[role=option]"));
  }

  function setActive(input, popup, option) {
    options(popup).forEach(function (other) {
      other.setAttribute("aria-selected", other === option ? "true" : "false");
      other.classList.toggle("is-active", other === option);
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close(input, popup) {
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(input, popup, null);
  }

  function open(input, popup) {
    var has = options(popup).length > 0;
    popup.hidden = !has;
    input.setAttribute("aria-expanded", has ? "true" : "false");
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var popup = event.detail.target;
    if (!popup || popup.getAttribute("role") !== "listbox") return;
    var input = document.querySelector("[aria-controls='" + popup.id + "']");
    if (!input) return;
    setActive(input, popup, null);
    if (input.value.trim().length < 2 || document.activeElement !== input) {
      close(input, popup);
    } else {
      open(input, popup);
    }
    var found = popup.querySelector("[data-search-status]");
    var status = parts(input).status;
    if (status) status.textContent = found ? found.textContent : "";
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-site-search] [role=combobox]")) return;
    var popup = parts(input).popup;
    var list = options(popup);
    var current = list.indexOf(document.getElementById(input.getAttribute("aria-activedescendant")));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length) return;
      event.preventDefault();
      open(input, popup);
      var next = event.key === "ArrowDown" ? current + 1 : current - 1;
      if (next >= list.length) next = 0;
      if (next < 0) next = list.length - 1;
      setActive(input, popup, list[next]);
    } else if (event.key === "Enter" && current >= 0 && !popup.hidden) {
      event.preventDefault();
      window.location.assign(list[current].href);
    } else if (event.key === "Escape") {
      if (!popup.hidden) {
        event.preventDefault();
        close(input, popup);
      } else if (input.value) {
        input.value = "";
      }
    }
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-site-search] [role=combobox]") &&
        input.value.trim().length < 2) {
      close(input, parts(input).popup);
    }
  });

  document.addEventListener("focusin", function (event) {
    document.querySelectorAll("[data-site-search]").forEach(function (form) {
      var input = form.querySelector("[role=combobox]");
      var popup = parts(input).popup;
      if (form.contains(event.target)) {
        if (event.target === input && input.value.trim().length >= 2) open(input, popup);
      } else {
        close(input, popup);
      }
    });
  });

  document.addEventListener("click", function (event) {
    document.querySelectorAll("[data-site-search]").forEach(function (form) {
      if (!form.contains(event.target)) {
        var input = form.querySelector("[role=combobox]");
        close(input, parts(input).popup);
      }
    });
  });

  // --- suggestions beside a request form's "what is wrong?" question -------------------------
  var timer = null;
  var lastText = null;

  function suggest(panel, text) {
    if (text === lastText || !window.htmx) return;
    lastText = text;
    window.htmx.ajax("GET", panel.getAttribute("data-deflect-url") + "?q=" +
      encodeURIComponent(text), { target: panel, swap: "innerHTML" });
  }

  document.addEventListener("input", function (event) {
    var panel = document.getElementById("deflect");
    if (!panel || event.target.id !== panel.getAttribute("data-deflect-for")) return;
    var text = event.target.value.trim();
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { suggest(panel, text); }, 400);
  });

  function initial() {
    // Phones: the facets start folded, so the results come first (open without JavaScript).
    var facets = document.querySelector("[data-search-facets]");
    if (facets && window.matchMedia("(max-width: 860px)").matches) facets.open = false;
    var panel = document.getElementById("deflect");
    if (!panel) return;
    var field = document.getElementById(panel.getAttribute("data-deflect-for"));
    if (field && field.value.trim().length >= 3) suggest(panel, field.value.trim());
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initial);
  } else {
    initial();
  }
})();
