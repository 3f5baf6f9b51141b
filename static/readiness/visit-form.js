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
  var userId = form.dataset.user || "";
  // Per person and visit; every key of the portal starts with "ips-" (cleared at logout).
  var storageKey = "ips-readiness-visit-" + userId + "-" + form.dataset.visit;
  var statusEl = document.getElementById("save-status");
  var conflictEl = document.getElementById("conflict-alert");
  var versionInput = form.querySelector("input[name=version]");
  var AUTOSAVE_MS = 20000;
  var SENT_KEPT = 5; // saves remembered, to recognise this device's own work on the server

  var dirty = false;
  var saving = false;
  var stopped = false; // after a conflict: no more autosaves until the page is reloaded
  var lastSection = null;
  var pendingSubmit = null; // a button clicked while an autosave was in flight
  var inFlight = Promise.resolve(true); // the save in flight, resolving to "saved"
  var sentHere = []; // what the saves of this page sent
  // Every save carries an id, unique to this page load and its sequence: the server keeps the
  // id of the save that made each version, so this page can tell its own saves (and the one the
  // page before it sent as it was left) from anyone else's.
  var pageId = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  var saveSeq = 0;
  var sentIds = []; // the ids of this page's saves
  // The save the page before this one sent from the version shown here, whose answer it never
  // read: its content is in the form (restored from the copy), so a version it made is built on.
  var supersedes = "";
  var copyTimer = null;
  var loggingOut = false;

  // ``problem``: a refusal or an error, shown in full even where the bar is compact.
  function setStatus(text, problem) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.classList.toggle("is-problem", Boolean(problem));
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
  //
  // The copy is kept per person (a tablet may be shared) and removed when they log out. It
  // also records the saves this device sent: a save sent as the page was left may reach the
  // server after the next page was read, and the page must then know that the newer version
  // is this device's own work, not a colleague's.

  function snapshot(from) {
    var pairs = [];
    new FormData(from || form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "version") pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function readCopy() {
    var raw = null;
    try { raw = localStorage.getItem(storageKey); } catch (e) { return null; }
    if (!raw) return null;
    try {
      var copy = JSON.parse(raw);
      return copy && copy.pairs ? copy : null;
    } catch (e) {
      dropCopy();
      return null;
    }
  }

  // ``sent``: the save about to be sent ({base, content}), remembered with the copy.
  function keepCopy(sent) {
    if (!autosaveUrl || loggingOut) return;
    if (copyTimer) { clearTimeout(copyTimer); copyTimer = null; }
    var old = readCopy();
    var record = {
      version: versionInput ? versionInput.value : "",
      at: new Date().toISOString(),
      pairs: snapshot(),
      sent: (old && old.sent) || []
    };
    if (sent) record.sent = record.sent.concat([sent]).slice(-SENT_KEPT);
    try {
      localStorage.setItem(storageKey, JSON.stringify(record));
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
    if (copyTimer) { clearTimeout(copyTimer); copyTimer = null; }
    try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  // Whether a version was made by a save of this page, or by the save the page before it sent.
  function ownSave(saveId) {
    return Boolean(saveId) && (sentIds.indexOf(saveId) !== -1 || saveId === supersedes);
  }

  // Whether this device sent a save with exactly this content (from this page or the one
  // before it).
  function sentFromHere(content) {
    if (sentHere.indexOf(content) !== -1) return true;
    var copy = readCopy();
    return Boolean(copy && (copy.sent || []).some(function (s) { return s.content === content; }));
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

  // The visit as a page shows it: this one, or the latest one read from the server.
  function pageState(doc) {
    var f = doc.getElementById("visit-form");
    if (!f) return null;
    var version = f.querySelector("input[name=version]");
    var status = doc.getElementById("save-status");
    var pairs = snapshot(f);
    return {
      version: version ? version.value : "",
      mine: userId !== "" && f.dataset.savedBy === userId,
      saveId: f.dataset.saveId || "",
      pairs: pairs,
      content: meaningful(pairs),
      status: status ? status.textContent.trim() : ""
    };
  }

  function fetchLatest() {
    return fetch(form.action, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      return html ? pageState(new DOMParser().parseFromString(html, "text/html")) : null;
    });
  }

  function checkCopy() {
    var copy = readCopy();
    if (!copy) return;
    var here = pageState(document);
    var content = meaningful(copy.pairs);
    if (content === here.content) { dropCopy(); return; }
    var sent = copy.sent || [];
    // A save this device sent from the version shown here has not arrived yet (or failed),
    // or the version shown is this device's own save and the copy was made on top of it:
    // either way nobody else's work is in between, so the changes go back into the form and
    // are saved, without asking.
    var pending = sent.filter(function (s) { return String(s.base) === here.version; });
    var inFlight = pending.length > 0;
    var onOwnSave = here.mine && sent.some(function (s) {
      return s.content === here.content || (here.saveId !== "" && s.id === here.saveId);
    });
    if (inFlight || onOwnSave) {
      // When that save lands before this page's, the server takes this page's save on top of it.
      if (inFlight && !onOwnSave) supersedes = pending[pending.length - 1].id || "";
      restore(copy.pairs);
      changed();
      setStatus("Your latest changes are back in the form. Saving…");
      save(false);
      return;
    }
    offerRestore(copy, here);
  }

  function offerRestore(copy, here) {
    var banner = document.getElementById("restore-banner");
    var text = banner.querySelector("[data-restore-text]");
    var when = new Date(copy.at).toLocaleString();
    var savedSince = copy.version !== here.version;
    text.textContent = "Changes made on this device at " + when + " were not saved yet.";
    if (savedSince) {
      text.textContent += " The visit was saved again since then (" + here.status + "). " +
        "Restoring puts your copy in the form; saving it is then refused, so that nothing " +
        "saved since is overwritten, and you can compare it with the latest version.";
    }
    banner.hidden = false;
    banner.querySelector("[data-restore]").addEventListener("click", function () {
      restore(copy.pairs);
      // The copy is saved as a change of the version it was made on: when that is not the
      // latest, the server refuses it and says who saved since.
      if (versionInput && copy.version) versionInput.value = copy.version;
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

  function changed() {
    dirty = true;
    if (loggingOut) return;
    if (copyTimer) clearTimeout(copyTimer);
    copyTimer = setTimeout(function () { copyTimer = null; keepCopy(); }, 800);
    if (autosaveUrl && !stopped) setStatus("Changes not saved yet");
  }

  function showConflict(body) {
    stopped = true;
    if (conflictEl) {
      conflictEl.querySelector("[data-conflict-message]").textContent = body.message;
      conflictEl.hidden = false;
      conflictEl.scrollIntoView({ block: "center" });
    }
    if (body.status === "final") { setStatus("Not saved: " + body.message, true); return; }
    var who = body.saved_by_you
      ? "this visit was saved from another tab or device."
      : "someone else saved this visit.";
    setStatus("Not saved: " + who + " Your changes are still here: copy them, then reload the page.", true);
  }

  // A save refused because the stored version is newer. When that version is this device's
  // own save (one that won a race with this one), the page builds on it instead of calling it
  // a conflict.
  function resolveConflict(body) {
    if (!body.saved_by_you) { showConflict(body); return; }
    if (ownSave(body.save_id)) {
      // The newer version is this page's own save (or the one sent as the page before it was
      // left), and everything it held is in the form: save again on top of it.
      adoptVersion({ version: String(body.version), mine: true });
      dirty = true;
      save(false);
      return;
    }
    setStatus("Checking the latest saved version…");
    fetchLatest().then(function (latest) {
      if (!latest) { showConflict(body); return; }
      if (latest.content === meaningful(snapshot())) {
        // Everything on this page is saved already.
        adoptVersion(latest);
        dirty = false;
        dropCopy();
        setStatus(latest.status);
      } else if (latest.mine && sentFromHere(latest.content)) {
        adoptVersion(latest);
        dirty = true;
        save(false);
      } else {
        showConflict(body);
      }
    }, function () { showConflict(body); });
  }

  function adoptVersion(latest) {
    if (versionInput) versionInput.value = latest.version;
    form.dataset.savedBy = latest.mine ? userId : "";
  }

  function afterSaving(submitter) {
    pendingSubmit = null;
    if (submitter === true) form.requestSubmit(); else form.requestSubmit(submitter);
  }

  // Resolves to true when the form's content is saved.
  function save(leaving) {
    if (!autosaveUrl || stopped || loggingOut || !dirty) return Promise.resolve(!dirty);
    if (saving) {
      // The save in flight carries the version this one would need; when the page goes away
      // before its answer, the copy on the device keeps what was typed since.
      if (leaving) keepCopy();
      return inFlight.then(function () { return false; });
    }
    saving = true;
    dirty = false;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var body = new FormData(form);
    saveSeq += 1;
    var saveId = pageId + "-" + saveSeq;
    body.append("save_id", saveId);
    if (supersedes) body.append("supersedes", supersedes);
    var sent = {
      base: versionInput ? versionInput.value : "",
      content: meaningful(snapshot()),
      id: saveId
    };
    sentHere = sentHere.concat([sent.content]).slice(-SENT_KEPT);
    sentIds = sentIds.concat([saveId]).slice(-SENT_KEPT);
    keepCopy(sent);
    setStatus("Saving…");
    inFlight = fetch(autosaveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
      keepalive: Boolean(leaving)
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, body: json }; });
    }).then(function (result) {
      saving = false;
      if (result.status === 200) {
        adoptVersion({ version: String(result.body.version), mine: true });
      }
      if (pendingSubmit) { afterSaving(pendingSubmit); return result.status === 200; }
      if (result.status === 200) {
        if (!dirty) dropCopy(); else keepCopy();
        setStatus(result.body.message);
        return !dirty;
      }
      dirty = true;
      if (result.status === 409 && result.body.status === "conflict") {
        resolveConflict(result.body);
      } else if (result.status === 409) {
        showConflict(result.body);
      } else {
        var first = (result.body.errors || [])[0];
        setStatus("Not saved yet: " + (first || result.body.message || "please check the form."), true);
      }
      return false;
    }).catch(function () {
      saving = false;
      if (pendingSubmit) { afterSaving(pendingSubmit); return false; }
      dirty = true;
      setStatus("Not saved: no connection. Your changes are kept on this device and will be saved when the connection returns.", true);
      return false;
    });
    return inFlight;
  }

  // Logging out removes this person's copies from the device; changes not saved yet are
  // saved first, or given up only when the person agrees.
  function hookLogout(logout) {
    logout.addEventListener("submit", function (event) {
      if (loggingOut) return;
      event.preventDefault();
      setStatus("Saving your changes before you log out…");
      var waiting = saving ? inFlight : Promise.resolve();
      waiting.then(function () { return save(false); }).then(function (ok) {
        if (!ok && !window.confirm("Your latest changes to this visit could not be saved. Log out anyway? They will be removed from this device.")) {
          setStatus("Not logged out: your changes are not saved yet.", true);
          return;
        }
        loggingOut = true;
        dropCopy();
        // Not while the first submit is still being dispatched: the browser would ignore it.
        setTimeout(function () { logout.requestSubmit(); }, 0);
      });
    });
  }

  // Fields that take the keyboard focus stay clear of the save bar (which sticks to the
  // bottom of the screen): the page keeps room for it, and scrolls a field out from under it.
  var bar = form.querySelector(".visit-bar");
  function noteBarHeight() {
    if (bar) document.documentElement.style.setProperty("--visit-bar-height", Math.ceil(bar.getBoundingClientRect().height) + "px");
  }
  function focusBox(el) {
    // A rating is a visually hidden radio: what shows the focus is its label.
    if (el.classList.contains("btn-check") && el.id) {
      var label = form.querySelector("label[for='" + el.id + "']");
      if (label) return label.getBoundingClientRect();
    }
    return el.getBoundingClientRect();
  }
  // Only for focus moved with the keyboard: a page that scrolls between a press and its
  // release loses the click, and focus given by a script is kept clear by scroll-padding.
  var byKeyboard = false;
  if (bar) {
    noteBarHeight();
    if (window.ResizeObserver) new ResizeObserver(noteBarHeight).observe(bar);
    else window.addEventListener("resize", noteBarHeight);
    document.addEventListener("keydown", function () { byKeyboard = true; }, true);
    document.addEventListener("pointerdown", function () { byKeyboard = false; }, true);
    document.addEventListener("focusin", function (event) {
      var el = event.target;
      if (!byKeyboard || !el.getBoundingClientRect || bar.contains(el)) return;
      var box = focusBox(el);
      var top = bar.getBoundingClientRect().top;
      var room = 8;
      if (box.bottom > top - room && box.top < bar.getBoundingClientRect().bottom) {
        window.scrollBy({ top: Math.min(box.bottom - top + room, box.top - room), left: 0, behavior: "instant" });
      }
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
    var leave = function () {
      if (copyTimer) keepCopy(); // what was typed last is on the device before the page goes
      save(true);
    };
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") leave();
    });
    window.addEventListener("pagehide", leave);
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
      dropCopy();
    });
    if (form.dataset.logoutUrl) {
      document.querySelectorAll("form").forEach(function (other) {
        if (other.getAttribute("action") === form.dataset.logoutUrl) hookLogout(other);
      });
    }
    // A page that shows a refused save holds a version that is out of date: no autosave.
    if (conflictEl && !conflictEl.hidden) stopped = true;
    else checkCopy();
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
