// Logging an inspection on a phone (templates/inspections/inspection_form.html).
//
// What it adds to a form that also works without it:
// - the site search box (fetches the site-search URL, fills the hidden site id);
// - the GPS point (navigator.geolocation, tried once on load and on "Use my location");
// - finding blocks added from the <template> and removed, renumbered for the Django formset;
// - photo previews;
// - a draft kept on this phone: every change saves the whole form, text AND the chosen photo
//   files, in IndexedDB under the signed-in user's id; on load a draft is offered back;
// - sending with fetch, so that a dropped network loses nothing.
//
// How the page talks to the server (inspections/views/inspections.py, inspection_create):
// the form is POSTed as multipart FormData with the header "X-Requested-With: fetch".
//   200 JSON {"redirect": url}  saved, or saved before by this same form (same client_token):
//                               the draft is cleared and the browser goes to the url;
//   422 HTML                    the page again with errors: its <main> replaces ours and the
//                               chosen photos are put back into their inputs;
//   anything else               (403, 5xx, the sign-in page after the session expired): an error
//                               banner; the draft stays.
// When fetch rejects or navigator.onLine is false, a banner says the form is kept on the phone,
// and the form is sent again on the window "online" event. The hidden client_token is the same
// every time, so the server records at most one inspection.
(function () {
  "use strict";

  document.documentElement.classList.add("inspection-js");

  var DB_NAME = "chashan-drafts";
  var STORE = "drafts";
  var SEARCH_DELAY = 250;
  var SAVE_DELAY = 300;
  var PREFIX_RE = /findings-(\d+|__prefix__)-/g;
  var MAX_SIDE = 2048;
  var SHRINK_ABOVE = 1.5 * 1024 * 1024;
  var RETRY_AFTER = 30000;

  // --- storage: IndexedDB (keeps File objects), localStorage as a text-only fallback -----------

  var dbPromise = null;

  function openDb() {
    if (dbPromise) { return dbPromise; }
    dbPromise = new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(null); return; }
      var request;
      try { request = window.indexedDB.open(DB_NAME, 1); } catch (e) { resolve(null); return; }
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { resolve(null); };
      request.onblocked = function () { resolve(null); };
    });
    return dbPromise;
  }

  function withStore(mode, action) {
    return openDb().then(function (db) {
      if (!db) { return Promise.reject(new Error("no indexeddb")); }
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function textOnly(draft) {
    var copy = {};
    Object.keys(draft).forEach(function (key) { if (key !== "files") { copy[key] = draft[key]; } });
    copy.files = {};
    return copy;
  }

  var drafts = {
    get: function (key) {
      return withStore("readonly", function (store) { return store.get(key); }).catch(function () {
        try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
      });
    },
    put: function (key, draft) {
      return withStore("readwrite", function (store) { store.put(draft, key); }).catch(function () {
        try { window.localStorage.setItem(key, JSON.stringify(textOnly(draft))); } catch (e) { /* full */ }
      });
    },
    remove: function (key) {
      try { window.localStorage.removeItem(key); } catch (e) { /* unavailable */ }
      return withStore("readwrite", function (store) { store.delete(key); }).catch(function () {});
    }
  };

  // --- small helpers ----------------------------------------------------------------------

  function $(root, selector) { return root.querySelector(selector); }
  function $$(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(el, visible) { if (el) { el.classList.toggle("d-none", !visible); } }

  // "21:40" for a draft of today, "11-28 21:40" for an older one
  function hhmm(timestamp) {
    var date = new Date(timestamp);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var time = pad(date.getHours()) + ":" + pad(date.getMinutes());
    if (date.toDateString() === new Date().toDateString()) { return time; }
    return pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " + time;
  }

  function setFiles(input, files) {
    input._chosen = files ? files.slice() : [];
    if (!files || typeof DataTransfer === "undefined") { return; }
    try {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    } catch (e) { /* an old browser: the photos must be chosen again */ }
  }

  // --- the page ---------------------------------------------------------------------------

  var page = null; // the current form's state; replaced when the server sends the page back with errors

  function setup(form, options) {
    options = options || {};
    var state = {
      form: form,
      key: "inspection-draft:" + (form.dataset.user || "anonymous"),
      autosave: false,
      sending: false,
      pending: false,
      site: null,
      saveTimer: null,
      retryTimer: null,
      photosReady: Promise.resolve()
    };
    page = state;
    var msg = form.dataset;

    // --- findings ---------------------------------------------------------------------------
    var list = $(form, "[data-finding-list]");
    var template = document.getElementById("finding-template");
    var total = $(form, "[data-total-forms]");

    function blocks() { return $$(list, "[data-finding-block]"); }

    function renumber() {
      blocks().forEach(function (block, index) {
        $$(block, "[name], [id], label[for], [aria-describedby]").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value && value.indexOf("findings-") !== -1) {
              el.setAttribute(attr, value.replace(PREFIX_RE, "findings-" + index + "-"));
            }
          });
        });
        var number = $(block, "[data-finding-number]");
        if (number) { number.textContent = String(index + 1); }
      });
      var count = blocks().length;
      total.value = String(count);
      var badge = document.querySelector("[data-finding-count]");
      if (badge) { badge.textContent = String(count); }
      var hint = $(form, "[data-no-findings]");
      if (hint) { hint.hidden = count > 0; }
    }

    function addFinding() {
      var index = blocks().length;
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      var block = blocks()[index];
      wireBlock(block);
      villageLabel(block);
      renumber();
      return block;
    }

    function wireBlock(block) {
      var remove = $(block, "[data-remove-finding]");
      if (remove) {
        remove.addEventListener("click", function () {
          if (!window.confirm(msg.messageRemove)) { return; }
          block.remove();
          renumber();
          scheduleSave();
        });
      }
    }

    blocks().forEach(wireBlock);
    renumber(); // the markup counts one spare block for posting without JavaScript
    $(form, "[data-add-finding]").addEventListener("click", function () {
      var block = addFinding();
      var first = $(block, "select, input, textarea");
      if (first) { first.focus(); }
      block.scrollIntoView({ block: "start", behavior: "smooth" });
      scheduleSave();
    });

    // --- photos -------------------------------------------------------------------------------
    // A phone's camera input returns one photo per shot and replaces what was chosen before:
    // each shot is added to the ones already chosen. A large JPEG is shrunk on the phone first
    // (at most 2048 px, like the server keeps it), so that a weak night signal carries less.
    function preview(input) {
      var box = input.parentElement.querySelector("[data-photo-previews]");
      if (!box) { return; }
      var files = Array.prototype.slice.call(input.files || []);
      var count = input.parentElement.querySelector("[data-photo-count]");
      if (count) { count.textContent = files.length ? msg.messagePhotoCount.replace("{count}", String(files.length)) : ""; }
      $$(box, "img").forEach(function (img) { URL.revokeObjectURL(img.src); });
      box.textContent = "";
      files.forEach(function (file, index) {
        var item = document.createElement("span");
        item.className = "photo-preview";
        if (/^image\//.test(file.type)) {
          var img = document.createElement("img");
          img.alt = file.name;
          img.src = URL.createObjectURL(file);
          item.appendChild(img);
        } else {
          item.textContent = file.name;
        }
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-dark photo-remove";
        remove.setAttribute("aria-label", msg.messageRemovePhoto);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          var kept = Array.prototype.slice.call(input.files || []);
          kept.splice(index, 1);
          setFiles(input, kept);
          preview(input);
          scheduleSave();
        });
        item.appendChild(remove);
        box.appendChild(item);
      });
    }

    function shrink(file) {
      if (!/^image\/(jpeg|webp)$/.test(file.type) || file.size <= SHRINK_ABOVE || !window.createImageBitmap) {
        return Promise.resolve(file);
      }
      return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        if (bitmap.close) { bitmap.close(); }
        return new Promise(function (resolve) {
          canvas.toBlob(function (blob) {
            if (!blob || blob.size >= file.size) { resolve(file); return; }
            var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
            resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
          }, "image/jpeg", 0.85);
        });
      }).catch(function () { return file; });
    }

    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.type !== "file") { return; }
      var before = input._chosen || [];
      var added = Array.prototype.slice.call(input.files || []);
      var work = Promise.all(added.map(shrink)).then(function (ready) {
        var all = before.concat(ready);
        input._chosen = all;
        setFiles(input, all);
        preview(input);
        scheduleSave();
      });
      state.photosReady = state.photosReady.then(function () { return work; });
    });

    // --- the site ------------------------------------------------------------------------------
    var picker = $(form, "[data-site-picker]");
    var siteInput = $(picker, "input[name='site']");
    var chosen = $(picker, "[data-site-chosen]");
    var searchBox = $(picker, "[data-site-search-box]");
    var query = $(picker, "[data-site-query]");
    var results = $(picker, "[data-site-results]");
    var searchTimer = null;
    var searchSerial = 0;

    function riskClass(level) { return "badge risk-badge risk-" + (level || 2); }

    function villageLabel(root) {
      $$(root, "select[name$='-responsible_unit'] option[value='']").forEach(function (option) {
        if (!option.dataset.original) { option.dataset.original = option.textContent; }
        option.textContent = state.site && state.site.village
          ? msg.messageSiteVillage.replace("{village}", state.site.village)
          : option.dataset.original;
      });
    }

    function chooseSite(site, quiet) {
      state.site = site;
      siteInput.value = site ? String(site.id) : "";
      if (site) {
        $(chosen, "[data-site-name]").textContent = site.name;
        var risk = $(chosen, "[data-site-risk]");
        risk.className = riskClass(site.risk_level);
        risk.textContent = site.risk_label || "";
        $(chosen, "[data-site-village]").textContent = site.village || "";
        $(chosen, "[data-site-address]").textContent = site.address ? " · " + site.address : "";
        $$(picker, "[data-site-error]").forEach(function (el) { el.remove(); });
        query.classList.remove("is-invalid");
      }
      show(chosen, !!site);
      show(searchBox, !site);
      results.textContent = "";
      villageLabel(form);
      if (!quiet) { scheduleSave(); }
    }

    function renderResults(items) {
      results.textContent = "";
      if (!items.length) {
        var none = document.createElement("div");
        none.className = "list-group-item text-body-secondary";
        none.textContent = msg.messageNoResults;
        results.appendChild(none);
        return;
      }
      items.forEach(function (site) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.setAttribute("role", "option");
        var name = document.createElement("strong");
        name.textContent = site.name;
        var risk = document.createElement("span");
        risk.className = riskClass(site.risk_level) + " ms-1";
        risk.textContent = site.risk_label || "";
        var where = document.createElement("div");
        where.className = "small text-body-secondary";
        where.textContent = (site.village || "") + (site.address ? " · " + site.address : "");
        button.appendChild(name);
        button.appendChild(risk);
        button.appendChild(where);
        button.addEventListener("click", function () { chooseSite(site); });
        results.appendChild(button);
      });
    }

    // with nothing typed, the server offers the sites of the user's zones that have waited longest
    function search(suggest) {
      var text = query.value.trim();
      var serial = ++searchSerial;
      if (!text && !suggest) { results.textContent = ""; return; }
      var url = msg.siteSearchUrl + "?q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) { if (serial === searchSerial) { renderResults(data.results || []); } })
        .catch(function () {
          if (serial !== searchSerial) { return; }
          results.textContent = "";
          var failed = document.createElement("div");
          failed.className = "list-group-item text-danger";
          failed.textContent = msg.messageSearchFailed;
          results.appendChild(failed);
        });
    }

    query.addEventListener("input", function () {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(function () { search(false); }, SEARCH_DELAY);
    });
    query.addEventListener("focus", function () {
      if (!query.value.trim() && !results.childElementCount) { search(true); }
    });
    query.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault(); // the box belongs to the GET form used without JavaScript
      var first = $(results, "button");
      if (first) { first.click(); } else { search(); }
    });
    $(picker, "[data-site-change]").addEventListener("click", function () {
      show(searchBox, true);
      query.focus();
      query.select();
    });
    if (chosen.dataset.id) {
      state.site = {
        id: chosen.dataset.id,
        name: chosen.dataset.name,
        village: chosen.dataset.village,
        address: chosen.dataset.address,
        risk_level: chosen.dataset.riskLevel,
        risk_label: chosen.dataset.riskLabel
      };
      villageLabel(form);
    }

    // --- GPS -----------------------------------------------------------------------------------
    var gps = $(form, "[data-gps]");
    var latitude = $(gps, "input[name='latitude']");
    var longitude = $(gps, "input[name='longitude']");
    var accuracy = $(gps, "input[name='location_accuracy']");
    var gpsText = $(gps, "[data-gps-text]");

    function showPoint() {
      if (latitude.value && longitude.value) {
        gpsText.textContent = latitude.value + ", " + longitude.value + (accuracy.value ? " (±" + accuracy.value + " m)" : "");
        gpsText.dataset.state = "located";
      }
    }

    function locate(automatic) {
      if (!navigator.geolocation) {
        if (!automatic) { gpsText.textContent = msg.messageNoLocation; }
        return;
      }
      if (!automatic || !latitude.value) { gpsText.textContent = msg.messageLocating; }
      navigator.geolocation.getCurrentPosition(function (position) {
        if (automatic && latitude.value && longitude.value) { showPoint(); return; } // keep a restored point
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        accuracy.value = position.coords.accuracy ? String(Math.round(position.coords.accuracy)) : "";
        showPoint();
        scheduleSave();
      }, function () {
        if (latitude.value && longitude.value) { showPoint(); return; }
        gpsText.textContent = msg.messageNoLocation;
        gpsText.dataset.state = "failed";
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    }

    $(gps, "[data-gps-locate]").addEventListener("click", function () { locate(false); });

    // --- the draft ------------------------------------------------------------------------------
    function collect() {
      var draft = { savedAt: Date.now(), fields: [], files: {}, findings: blocks().length, site: state.site, pending: state.pending };
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button") { return; }
        if (el.type === "file") {
          draft.files[el.name] = Array.prototype.slice.call(el.files || []);
        } else if (el.type === "radio" || el.type === "checkbox") {
          if (el.checked) { draft.fields.push([el.name, el.value]); }
        } else if (el.type === "select-multiple") {
          Array.prototype.forEach.call(el.selectedOptions, function (option) { draft.fields.push([el.name, option.value]); });
        } else {
          draft.fields.push([el.name, el.value]);
        }
      });
      return draft;
    }

    function saveNow() {
      window.clearTimeout(state.saveTimer);
      return drafts.put(state.key, collect());
    }

    function scheduleSave() {
      if (!state.autosave) { return; }
      window.clearTimeout(state.saveTimer);
      state.saveTimer = window.setTimeout(saveNow, SAVE_DELAY);
    }
    state.scheduleSave = scheduleSave;

    function putFilesBack(files) {
      $$(form, "input[type='file']").forEach(function (input) {
        if (files && files[input.name] && files[input.name].length) {
          setFiles(input, files[input.name]);
          preview(input);
        }
      });
    }

    function restore(draft) {
      while (blocks().length < (draft.findings || 0)) { addFinding(); }
      var values = {};
      var checked = {};
      (draft.fields || []).forEach(function (pair) {
        if (!(pair[0] in values)) { values[pair[0]] = pair[1]; }
        checked[pair[0] + "=" + pair[1]] = true;
      });
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file" || el.type === "submit" || el.type === "button") { return; }
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = !!checked[el.name + "=" + el.value];
        } else if (el.name in values && el.name !== total.name) {
          el.value = values[el.name];
        }
      });
      putFilesBack(draft.files);
      chooseSite(draft.site && draft.site.id ? draft.site : null, true);
      if (!state.site && siteInput.value) { siteInput.value = ""; }
      showPoint();
      renumber();
    }

    // editing while a draft is offered means working on this form: it is saved from now on (the
    // offered draft can still be restored while the page is open)
    function edited(event) {
      if (event.isTrusted && state.offerPending) { state.autosave = true; }
      scheduleSave();
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    // a phone may drop the page at any moment once it is hidden: save at once
    window.addEventListener("pagehide", function () { if (page === state && state.autosave) { saveNow(); } });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && page === state && state.autosave) { saveNow(); }
    });

    // --- sending --------------------------------------------------------------------------------
    var saveButton = $(form, "[data-save]");
    var saveLabel = $(form, "[data-save-label]");
    var saveText = saveLabel.textContent;
    var offlineBanner = document.querySelector("[data-offline-banner]");
    var errorBanner = document.querySelector("[data-send-error]");

    function busy(on) {
      saveButton.disabled = on;
      saveLabel.textContent = on ? msg.messageSaving : saveText;
    }

    function offline() {
      state.sending = false;
      busy(false);
      show(offlineBanner, true);
      offlineBanner.scrollIntoView({ block: "center" });
      // the "online" event sends it; a phone that says it is online but reaches no server tries again later
      window.clearTimeout(state.retryTimer);
      if (navigator.onLine !== false) {
        state.retryTimer = window.setTimeout(function () { if (state.pending) { send(); } }, RETRY_AFTER);
      }
    }

    function failed(message) {
      state.sending = false;
      busy(false);
      errorBanner.textContent = message;
      show(errorBanner, true);
      errorBanner.scrollIntoView({ block: "center" });
    }

    function answer(response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") !== -1) {
        return response.json().then(function (data) {
          state.pending = false;
          state.autosave = false;
          window.clearTimeout(state.saveTimer);
          window.clearTimeout(state.retryTimer);
          return drafts.remove(state.key).then(function () { window.location.assign(data.redirect); });
        });
      }
      if (response.status === 422) {
        return response.text().then(function (html) { showErrors(html); });
      }
      if (response.redirected && /\/accounts\/login\//.test(response.url)) {
        failed(errorBanner.dataset.messageSession);
        return undefined;
      }
      failed(errorBanner.dataset.messageFailed + " (" + response.status + ")");
      return undefined;
    }

    function showErrors(html) {
      var files = collect().files;
      var doc = new DOMParser().parseFromString(html, "text/html");
      var main = document.querySelector("main");
      var incoming = doc.querySelector("main");
      if (!main || !incoming) { failed(errorBanner.dataset.messageFailed); return; }
      main.innerHTML = incoming.innerHTML;
      var newForm = document.querySelector("form[data-inspection-form]");
      var next = setup(newForm, { afterErrors: true });
      next.putFilesBack(files);
      next.autosave = true;
      next.saveNow();
      var invalid = newForm.querySelector(".is-invalid, .invalid-feedback, .border-danger") || document.querySelector("[data-form-errors]");
      (invalid || main).scrollIntoView({ block: "center" });
    }

    function send() {
      if (state.sending) { return; }
      state.sending = true;
      state.pending = true;
      window.clearTimeout(state.retryTimer);
      busy(true);
      show(offlineBanner, false);
      show(errorBanner, false);
      state.photosReady.then(saveNow).then(function () {
        if (navigator.onLine === false) { offline(); return undefined; }
        var data = new FormData(form);
        var token = cookie("csrftoken");
        if (token) { data.set("csrfmiddlewaretoken", token); } // fresh after a sign-in in another tab
        return fetch(form.action, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch", Accept: "application/json, text/html" }
        }).then(answer, offline);
      }).catch(function () { failed(errorBanner.dataset.messageFailed); });
    }
    state.send = send;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send();
    });
    var sendNow = document.querySelector("[data-send-now]");
    if (sendNow && !sendNow.dataset.wired) {
      sendNow.dataset.wired = "1";
      sendNow.addEventListener("click", function () { if (page) { page.send(); } });
    }

    state.collect = collect;
    state.saveNow = saveNow;
    state.putFilesBack = putFilesBack;

    // --- start ------------------------------------------------------------------------------------
    if (options.afterErrors) {
      showPoint();
      return state;
    }
    var offer = document.querySelector("[data-draft-offer]");
    drafts.get(state.key).then(function (draft) {
      if (!draft || !draft.fields) {
        state.autosave = true;
        return;
      }
      $(offer, "[data-draft-time]").textContent = hhmm(draft.savedAt);
      show(offer, true);
      state.offerPending = true;
      $(offer, "[data-draft-restore]").addEventListener("click", function () {
        restore(draft);
        show(offer, false);
        state.offerPending = false;
        state.autosave = true;
        saveNow();
      });
      $(offer, "[data-draft-discard]").addEventListener("click", function () {
        show(offer, false);
        state.offerPending = false;
        if (state.autosave) { saveNow(); return; } // already working on this form: keep that
        drafts.remove(state.key).then(function () { state.autosave = true; });
      });
    });
    if (!latitude.value) { locate(true); } else { showPoint(); }
    return state;
  }

  window.addEventListener("online", function () {
    if (page && page.pending && !page.sending) { page.send(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-inspection-form]");
    if (form) { setup(form); }
  });
})();
