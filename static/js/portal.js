/* The portal's own script: small enhancements, loaded on every page after USWDS. Every page
   works without it. (A file, as the Content-Security-Policy allows no inline script.) */
(function () {
  "use strict";

  // Filters that sit above the results on a small screen (under USWDS's tablet breakpoint)
  // start folded there, so the first result shows without scrolling past every facet.
  // The page sends them open, as a wider screen, or a browser without JavaScript, shows them.
  var small = window.matchMedia("(max-width: 39.99em)");
  document.querySelectorAll("details[data-fold-on-small-screen]").forEach(function (details) {
    if (small.matches) {
      details.open = false;
    }
  });

  // USWDS builds each combo box's text input when the document is ready, moving the
  // select's id to it but not the field's hint and error: carry those over too, so a screen
  // reader announces them and the error's red border shows. (This listener runs after USWDS's.)
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".usa-combo-box").forEach(function (box) {
      var select = box.querySelector("select");
      var input = box.querySelector(".usa-combo-box__input");
      if (!select || !input) {
        return;
      }
      ["aria-describedby", "aria-invalid"].forEach(function (name) {
        if (select.hasAttribute(name)) {
          input.setAttribute(name, select.getAttribute(name));
        }
      });
      if (select.classList.contains("usa-input--error")) {
        input.classList.add("usa-input--error");
      }
    });
  });
})();
