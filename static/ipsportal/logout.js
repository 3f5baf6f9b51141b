/*
 * Logging out removes what the portal's pages keep on this device (every key starting with
 * "ips-", such as the copy of a form not saved yet), so the next person on a shared device
 * finds none of it. The logout answer also asks the browser to clear it (Clear-Site-Data);
 * this covers browsers that do not. A page that must finish something first (saving a form)
 * holds the logout back by cancelling the submit, then submits it again.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var logoutUrl = script ? script.dataset.logoutUrl : "";
  if (!logoutUrl) return;

  function clearPortalStorage() {
    ["localStorage", "sessionStorage"].forEach(function (name) {
      try {
        var store = window[name];
        for (var i = store.length - 1; i >= 0; i -= 1) {
          var key = store.key(i);
          if (key && key.indexOf("ips-") === 0) store.removeItem(key);
        }
      } catch (e) { /* storage disabled: nothing kept */ }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.getAttribute) return;
    if (form.getAttribute("action") === logoutUrl) clearPortalStorage();
  });
})();
