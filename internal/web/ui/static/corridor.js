// Corridor — progressive enhancement only. Every page works without this
// file; it makes the capabilities menu behave like a desktop menu: it
// closes on Escape (focus returns to its toggle) and on a click elsewhere.
(function () {
  "use strict";
  var menus = document.querySelectorAll(".nav-menu details");
  if (!menus.length) {
    return;
  }
  function closeAll(except) {
    menus.forEach(function (d) {
      if (d !== except) {
        d.open = false;
      }
    });
  }
  document.addEventListener("click", function (e) {
    var inside = e.target.closest ? e.target.closest(".nav-menu details") : null;
    closeAll(inside);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") {
      return;
    }
    menus.forEach(function (d) {
      if (d.open) {
        d.open = false;
        d.querySelector("summary").focus();
      }
    });
  });
  document.documentElement.classList.add("js");
})();
