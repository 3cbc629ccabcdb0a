// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Person picker: choosing a suggestion fills the field it belongs to.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick]");
    if (!button) return;
    event.preventDefault();
    var input = document.getElementById(button.getAttribute("data-target"));
    if (input) {
      input.value = button.getAttribute("data-pick");
      input.focus();
    }
    var list = button.closest(".suggestions");
    if (list) list.innerHTML = "";
  });

  // Arrow keys move between suggestions; Escape closes them.
  document.addEventListener("keydown", function (event) {
    var list = event.target.closest && (event.target.closest(".suggestions") ||
      (event.target.matches("[data-person-picker]") &&
        document.getElementById(event.target.id + "-suggestions")));
    if (!list) return;
    var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
    if (!buttons.length) return;
    var index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      buttons[Math.min(index + 1, buttons.length - 1)].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (index <= 0) {
        var input = document.getElementById(buttons[0].getAttribute("data-target"));
        if (input) input.focus();
      } else {
        buttons[index - 1].focus();
      }
    } else if (event.key === "Escape") {
      list.innerHTML = "";
    }
  });

  // Close the account menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
