/*
 * The readiness visit form: rows added and removed, the rating progress, and autosave.
 *
 * The form works without this script (the "Save draft" button posts it). With it, the whole
 * form is saved every 20 seconds when something changed, when the trainer moves to another
 * section, and when the tab is hidden or closed. A copy of unsaved changes is also kept on the
 * device, so a lost connection or a closed tab never loses work. A save based on an old
 * version is refused by the server (409): the message is shown and the changes stay on screen.
 */
(function () {
  "use strict";

  var form = document.getElementById("visit-form");
  if (!form) return;

  var autosaveUrl = form.dataset.autosaveUrl || "";
  var storageKey = "ips-readiness-visit-" + form.dataset.visit;
  var statusEl = document.getElementById("save-status");
  var conflictEl = document.getElementById("conflict-alert");
  var versionInput = form.querySelector("input[name=version]");
  var AUTOSAVE_MS = 20000;

  var dirty = false;
  var saving = false;
  var stopped = false; // after a conflict: no more autosaves until the page is reloaded
  var lastSection = null;
  var pendingSubmit = null; // a button clicked while an autosave was in flight

  function setStatus(text) {
    if (statusEl) statusEl.textContent = text;
  }

  // ------------------------------------------------------------------ rows of the formsets

  function renumber(formset) {
    var n = 0;
    formset.querySelectorAll("[data-row]").forEach(function (row) {
      if (row.hidden) return;
      n += 1;
      var num = row.querySelector(".row-num");
      if (num) num.textContent = String(n);
    });
  }

  function hookRemove(row, formset) {
    var box = row.querySelector(".row-remove input[type=checkbox]");
    if (!box) return;
    var label = row.querySelector(".row-remove label");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-danger remove-row";
    button.innerHTML = label ? label.innerHTML : "Remove";
    box.closest(".form-check").hidden = true;
    box.closest(".row-remove").appendChild(button);
    if (box.checked) row.hidden = true;
    button.addEventListener("click", function () {
      box.checked = true;
      row.hidden = true;
      renumber(formset);
      changed();
      setStatus("Row removed. It will be gone after the next save.");
      var add = formset.querySelector("[data-add-row]");
      if (add) add.focus();
    });
  }

  function addRow(formset) {
    var prefix = formset.dataset.formset;
    var total = formset.querySelector("input[name=" + prefix + "-TOTAL_FORMS]");
    var template = document.getElementById("tpl-" + prefix);
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    formset.querySelector(".formset-rows").appendChild(row);
    total.value = String(index + 1);
    hookRemove(row, formset);
    renumber(formset);
    var first = row.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
    return row;
  }

  document.querySelectorAll("[data-formset]").forEach(function (formset) {
    formset.querySelectorAll("[data-row]").forEach(function (row) { hookRemove(row, formset); });
    var add = formset.querySelector("[data-add-row]");
    if (add) {
      add.hidden = false;
      add.addEventListener("click", function () { addRow(formset); });
    }
    renumber(formset);
  });

  // ------------------------------------------------------------------ ratings and progress

  function applicableAreas() {
    return Array.prototype.filter.call(
      form.querySelectorAll("[data-area]"),
      function (area) { return !area.closest(".part-areas").hidden; }
    );
  }

  function updateProgress() {
    var areas = applicableAreas();
    var rated = areas.filter(function (area) {
      return area.querySelector(".rating-toggle input:checked");
    }).length;
    var text = document.querySelector("[data-progress-text]");
    var bar = document.getElementById("progress-bar");
    if (text) text.textContent = rated + " of " + areas.length + " areas rated";
    if (bar) { bar.max = areas.length; bar.value = rated; }
    form.querySelectorAll("[data-clear-rating]").forEach(function (button) {
      var area = document.getElementById("area-" + button.dataset.clearRating);
      button.hidden = !area.querySelector(".rating-toggle input:checked");
    });
  }

  form.querySelectorAll("[data-clear-rating]").forEach(function (button) {
    button.addEventListener("click", function () {
      var area = document.getElementById("area-" + button.dataset.clearRating);
      area.querySelectorAll(".rating-toggle input").forEach(function (r) { r.checked = false; });
      updateProgress();
      changed();
      var first = area.querySelector(".rating-toggle input");
      if (first) first.focus();
    });
  });

  form.querySelectorAll(".na-toggle input[type=checkbox]").forEach(function (box) {
    var section = box.closest("section");
    var areas = section.querySelector(".part-areas");
    box.addEventListener("change", function () {
      // Hidden, not disabled: ratings typed before stay in the form and are saved, but the
      // part no longer counts.
      areas.hidden = box.checked;
      updateProgress();
    });
  });

  // ------------------------------------------------------------------ the copy on this device

  function snapshot() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "version") pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function keepCopy() {
    if (!autosaveUrl) return;
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        version: versionInput ? versionInput.value : "",
        at: new Date().toISOString(),
        pairs: snapshot()
      }));
    } catch (e) { /* storage full or disabled: autosave still runs */ }
  }

  // What a set of field values means, ignoring row numbering, blank and removed rows: two
  // forms that would save the same visit compare equal.
  function meaningful(pairs) {
    var plain = [];
    var rows = {};
    pairs.forEach(function (p) {
      var m = /^(\w+)-(\d+)-(\w+)$/.exec(p[0]);
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(p[0])) return;
      if (!m) { if (p[1] !== "") plain.push(p[0] + "=" + p[1]); return; }
      var key = m[1] + "-" + m[2];
      (rows[key] = rows[key] || { prefix: m[1], values: [] }).values.push(m[3] + "=" + p[1]);
    });
    var groups = {};
    Object.keys(rows).sort(function (a, b) {
      return parseInt(a.split("-")[1], 10) - parseInt(b.split("-")[1], 10);
    }).forEach(function (key) {
      var row = rows[key];
      if (row.values.indexOf("DELETE=on") !== -1) return;
      var filled = row.values.filter(function (v) { return !/=$/.test(v) && !/^id=/.test(v); });
      if (!filled.length) return;
      (groups[row.prefix] = groups[row.prefix] || []).push(filled.sort().join("&"));
    });
    return JSON.stringify([plain.sort(), groups]);
  }

  function dropCopy() {
    try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  function restore(pairs) {
    // Make as many rows as the copy had, then set every field from it.
    document.querySelectorAll("[data-formset]").forEach(function (formset) {
      var prefix = formset.dataset.formset;
      var total = formset.querySelector("input[name=" + prefix + "-TOTAL_FORMS]");
      var wanted = 0;
      pairs.forEach(function (p) { if (p[0] === prefix + "-TOTAL_FORMS") wanted = parseInt(p[1], 10); });
      while (parseInt(total.value, 10) < wanted) addRow(formset);
    });
    var values = {};
    pairs.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version") return;
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(el.name)) return;
      var got = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = got.indexOf(el.value) !== -1;
      } else if (el.type !== "submit" && el.type !== "button") {
        el.value = got.length ? got[0] : "";
      }
    });
    document.querySelectorAll("[data-formset]").forEach(function (formset) {
      formset.querySelectorAll("[data-row]").forEach(function (row) {
        var box = row.querySelector(".row-remove input[type=checkbox]");
        row.hidden = Boolean(box && box.checked);
      });
      renumber(formset);
    });
    form.querySelectorAll(".na-toggle input[type=checkbox]").forEach(function (box) {
      box.closest("section").querySelector(".part-areas").hidden = box.checked;
    });
    updateProgress();
  }

  function offerRestore() {
    var raw = null;
    try { raw = localStorage.getItem(storageKey); } catch (e) { return; }
    if (!raw) return;
    var copy;
    try { copy = JSON.parse(raw); } catch (e) { dropCopy(); return; }
    if (meaningful(copy.pairs) === meaningful(snapshot())) { dropCopy(); return; }
    var banner = document.getElementById("restore-banner");
    var text = banner.querySelector("[data-restore-text]");
    var when = new Date(copy.at).toLocaleString();
    text.textContent = "Changes made on this device at " + when + " were not saved yet.";
    if (versionInput && copy.version !== versionInput.value) {
      text.textContent += " The visit was saved since then (perhaps by someone else): restoring puts your copy in the form, and saving it may be refused until you reload.";
    }
    banner.hidden = false;
    banner.querySelector("[data-restore]").addEventListener("click", function () {
      restore(copy.pairs);
      banner.hidden = true;
      changed();
      setStatus("Your unsaved changes were restored. Saving…");
      save(false);
    });
    banner.querySelector("[data-restore-discard]").addEventListener("click", function () {
      dropCopy();
      banner.hidden = true;
      setStatus("The unsaved copy was discarded.");
    });
  }

  // ------------------------------------------------------------------ autosave

  var copyTimer = null;
  function changed() {
    dirty = true;
    if (copyTimer) clearTimeout(copyTimer);
    copyTimer = setTimeout(keepCopy, 800);
    if (autosaveUrl && !stopped) setStatus("Changes not saved yet");
  }

  function showConflict(message) {
    stopped = true;
    if (conflictEl) {
      conflictEl.querySelector("[data-conflict-message]").textContent = message;
      conflictEl.hidden = false;
      conflictEl.scrollIntoView({ block: "center" });
    }
    setStatus("Not saved: someone else saved this visit. Your changes are still here.");
  }

  function save(leaving) {
    if (!autosaveUrl || saving || stopped || !dirty) return;
    saving = true;
    dirty = false;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    setStatus("Saving…");
    fetch(autosaveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
      keepalive: Boolean(leaving)
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      saving = false;
      if (pendingSubmit && result.status === 200 && versionInput) {
        versionInput.value = String(result.body.version);
      }
      if (pendingSubmit) {
        var submitter = pendingSubmit;
        pendingSubmit = null;
        if (submitter === true) form.requestSubmit(); else form.requestSubmit(submitter);
        return;
      }
      if (result.status === 200) {
        if (versionInput) versionInput.value = String(result.body.version);
        if (!dirty) dropCopy(); else keepCopy();
        setStatus("Saved at " + result.body.saved_at);
      } else if (result.status === 409) {
        dirty = true;
        showConflict(result.body.message);
      } else {
        dirty = true;
        var first = (result.body.errors || [])[0];
        setStatus("Not saved yet: " + (first || result.body.message || "please check the form."));
      }
    }).catch(function () {
      saving = false;
      if (pendingSubmit) {
        var submitter = pendingSubmit;
        pendingSubmit = null;
        if (submitter === true) form.requestSubmit(); else form.requestSubmit(submitter);
        return;
      }
      dirty = true;
      setStatus("Not saved: no connection. Your changes are kept on this device and will be saved when the connection returns.");
    });
  }

  if (autosaveUrl) {
    form.addEventListener("input", changed);
    form.addEventListener("change", function (event) {
      if (event.target.closest(".rating-toggle")) updateProgress();
      changed();
    });
    form.addEventListener("focusin", function (event) {
      var section = event.target.closest("section");
      if (section && lastSection && section !== lastSection) save(false);
      if (section) lastSection = section;
    });
    setInterval(function () { save(false); }, AUTOSAVE_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(true);
    });
    window.addEventListener("pagehide", function () { save(true); });
    form.addEventListener("submit", function (event) {
      if (saving) {
        // Wait for the autosave in flight: it moves the version this post must carry.
        event.preventDefault();
        pendingSubmit = event.submitter || true;
        return;
      }
      // The plain save takes over: no autosave may run between the click and the reply, and
      // the server shows the submitted values again if it refuses them.
      stopped = true;
      if (copyTimer) clearTimeout(copyTimer);
      dropCopy();
    });
    offerRestore();
  } else {
    form.addEventListener("change", function (event) {
      if (event.target.closest(".rating-toggle")) updateProgress();
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (other) {
    other.addEventListener("submit", function (event) {
      if (!window.confirm(other.dataset.confirm)) event.preventDefault();
    });
  });

  updateProgress();
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
