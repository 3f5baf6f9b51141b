// Accessibility fixes for Swagger UI, which renders the API docs page after load: its
// parameter fields and the close button of its dialog have no name, its scrollable examples
// cannot be reached by keyboard, and its <main> sits inside the portal's. Applied again
// whenever Swagger UI redraws a part.
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  if (!root) {
    return;
  }

  function label(field) {
    if (field.hasAttribute("aria-label") || field.labels?.length) {
      return;
    }
    const row = field.closest("tr[data-param-name]");
    if (row) {
      const where = row.getAttribute("data-param-in");
      const name = row.getAttribute("data-param-name");
      field.setAttribute("aria-label", where ? name + " (" + where + ")" : name);
    } else if (field.closest(".body-param")) {
      field.setAttribute("aria-label", "Request body");
    } else if (field.closest(".content-type-wrapper, .response-control-media-type")) {
      field.setAttribute("aria-label", "Media type");
    }
  }

  function fix() {
    root.querySelectorAll("select, input:not([type=hidden]), textarea").forEach(label);
    root.querySelectorAll("pre:not([tabindex])").forEach(function (block) {
      block.setAttribute("tabindex", "0");
    });
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "Close this dialog");
    });
    root.querySelectorAll("main").forEach(function (inner) {
      inner.setAttribute("role", "region");
      inner.setAttribute("aria-label", "Operations");
    });
  }

  let pending = false;
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        fix();
      });
    }
  }).observe(root, { childList: true, subtree: true });
})();
