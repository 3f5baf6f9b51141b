/*
 * "N characters left" under a text field with a length limit (maxlength), once a tenth of the
 * limit or less is left. The count under the field follows every key; screen readers hear it
 * through one polite live region, once typing pauses, never at every key.
 */
(function () {
  "use strict";

  var SHARE = 0.1; // show the count when this share of the limit or less is left
  var PAUSE_MS = 700; // the live region speaks after a pause this long
  var TYPES = ["text", "search", "email", "url", "tel"];
  var live = null;
  var timer = null;
  var spoken = "";
  var made = 0;

  function limited(el) {
    if (!el || !el.hasAttribute || !el.hasAttribute("maxlength")) return false;
    if (el.tagName === "TEXTAREA") return true;
    if (el.tagName !== "INPUT") return false;
    return TYPES.indexOf((el.getAttribute("type") || "text").toLowerCase()) !== -1;
  }

  function left(el) {
    var max = parseInt(el.getAttribute("maxlength"), 10);
    if (!(max > 0)) return null;
    var rest = Math.max(max - el.value.length, 0);
    return rest <= Math.ceil(max * SHARE) ? rest : null;
  }

  function words(rest) {
    return rest + (rest === 1 ? " character left" : " characters left");
  }

  function counterOf(el, create) {
    var id = el.dataset.charCount;
    var counter = id ? document.getElementById(id) : null;
    if (counter || !create) return counter;
    made += 1;
    counter = document.createElement("div");
    counter.id = (el.id || "field") + "-chars-left-" + made;
    counter.className = "form-text char-count";
    counter.hidden = true;
    (el.closest(".input-group") || el).insertAdjacentElement("afterend", counter);
    el.dataset.charCount = counter.id;
    var described = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    described.push(counter.id);
    el.setAttribute("aria-describedby", described.join(" "));
    return counter;
  }

  function show(el) {
    var rest = left(el);
    var counter = counterOf(el, rest !== null);
    if (!counter) return rest;
    counter.hidden = rest === null;
    counter.textContent = rest === null ? "" : words(rest);
    counter.classList.toggle("fw-semibold", rest === 0);
    return rest;
  }

  function speakLater(el) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      timer = null;
      if (document.activeElement !== el) return;
      var rest = left(el);
      var text = rest === null ? "" : words(rest);
      if (text && text !== spoken && live) live.textContent = text;
      spoken = text;
    }, PAUSE_MS);
  }

  function start() {
    live = document.createElement("div");
    live.className = "visually-hidden";
    live.id = "chars-left-announcer";
    live.setAttribute("aria-live", "polite");
    live.setAttribute("aria-atomic", "true");
    document.body.appendChild(live);
    document.querySelectorAll("textarea[maxlength], input[maxlength]").forEach(function (el) {
      if (limited(el)) show(el);
    });
    document.addEventListener("input", function (event) {
      if (!limited(event.target)) return;
      show(event.target);
      speakLater(event.target);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
