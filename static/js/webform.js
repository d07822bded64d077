// The web deposit form: add, remove and reorder repeated rows without a reload; show only
// the fields of the chosen content type; search our funder registry and registered
// affiliations as you type; match each pasted reference with /match and show its DOI.
(function () {
  "use strict";
  var form = document.getElementById("webform");
  if (!form) { return; }

  // --- Repeated rows (Django formsets) ---------------------------------------------------
  function renumber(name) {
    var box = document.getElementById(name === "contributors" ? "contributors" : "funding");
    var rows = box.querySelectorAll("[data-row]");
    var pattern = new RegExp(name + "-(\\d+|__prefix__)-", "g");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(pattern, name + "-" + index + "-")); }
        });
      });
      var number = row.querySelector("[data-row-number]");
      if (number) { number.textContent = String(index + 1); }
    });
    form.querySelector("[name=" + name + "-TOTAL_FORMS]").value = String(rows.length);
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var name = add.getAttribute("data-add-row");
      var template = document.getElementById(name + "-template");
      var box = document.getElementById(name === "contributors" ? "contributors" : "funding");
      var row = template.content.firstElementChild.cloneNode(true);
      box.appendChild(row);
      renumber(name);
      applyKinds();
      var first = row.querySelector("input[type=text], input:not([type])");
      if (first) { first.focus(); }
      return;
    }
    var move = event.target.closest("[data-move]");
    if (move) {
      var current = move.closest("[data-row]");
      if (move.getAttribute("data-move") === "up" && current.previousElementSibling) {
        current.parentNode.insertBefore(current, current.previousElementSibling);
      } else if (move.getAttribute("data-move") === "down" && current.nextElementSibling) {
        current.parentNode.insertBefore(current.nextElementSibling, current);
      }
      renumber("contributors");
      move.focus();
      return;
    }
    var option = event.target.closest("[data-fill-row]");
    if (option) {
      var prefix = option.getAttribute("data-fill-row");
      if (option.hasAttribute("data-funder-name")) {
        form.querySelector("[name=" + prefix + "-funder_name]").value = option.getAttribute("data-funder-name");
        form.querySelector("[name=" + prefix + "-funder_id]").value = option.getAttribute("data-funder-id");
      } else {
        form.querySelector("[name=" + prefix + "-affiliation]").value = option.getAttribute("data-affiliation");
        form.querySelector("[name=" + prefix + "-ror]").value = option.getAttribute("data-ror");
      }
      option.closest(".search-results").innerHTML = "";
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.name && /-DELETE$/.test(event.target.name)) {
      event.target.closest("[data-row]").classList.toggle("row-removed", event.target.checked);
    }
    if (event.target.name && /-kind$/.test(event.target.name)) { applyKinds(); }
    if (event.target.name === "content_type") { applyType(); }
  });
  form.addEventListener("submit", function () { renumber("contributors"); renumber("funding"); });

  // --- Fields by content type and contributor kind -----------------------------------------
  var containerLabels = {
    "journal-article": "Journal and issue", "book": "Book", "book-chapter": "Book",
    "proceedings-article": "Conference and proceedings", "dataset": "Database", "report": "Report"
  };
  var titleLabels = {
    "journal-article": "Journal title", "book-chapter": "Book title",
    "proceedings-article": "Proceedings title", "dataset": "Database title"
  };
  function applyType() {
    var type = form.querySelector("[name=content_type]").value;
    form.querySelectorAll("[data-types]").forEach(function (el) {
      el.hidden = el.getAttribute("data-types").split(" ").indexOf(type) === -1;
    });
    var legend = form.querySelector("[data-container-legend]");
    if (legend) { legend.textContent = containerLabels[type] || "Container"; }
    var label = form.querySelector("label[for=id_container_title]");
    if (label && titleLabels[type]) { label.textContent = titleLabels[type] + ":"; }
  }
  function applyKinds() {
    form.querySelectorAll(".contributor-row").forEach(function (row) {
      var kind = row.querySelector("select[name$=-kind]");
      var org = kind && kind.value === "organisation";
      row.querySelectorAll(".person-only").forEach(function (el) { el.hidden = org; });
      row.querySelectorAll(".org-only").forEach(function (el) { el.hidden = !org; });
    });
  }
  applyType();
  applyKinds();

  // --- Searches as you type ----------------------------------------------------------------
  var timers = {};
  function search(input, url, resultsId, rowPrefix) {
    window.clearTimeout(timers[resultsId]);
    timers[resultsId] = window.setTimeout(function () {
      var results = document.getElementById(resultsId);
      if (!results) { return; }
      if (input.value.trim().length < 2) { results.innerHTML = ""; return; }
      var query = "?q=" + encodeURIComponent(input.value) + "&row=" + encodeURIComponent(rowPrefix);
      fetch(url + query, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { results.innerHTML = html; });
    }, 250);
  }
  form.addEventListener("input", function (event) {
    var name = event.target.name || "";
    var found = name.match(/^((?:contributors|funding)-\d+)-(funder_name|affiliation)$/);
    if (found) {
      var url = form.getAttribute(found[2] === "funder_name" ? "data-funder-url" : "data-affiliation-url");
      var suffix = found[2] === "funder_name" ? "-funder-results" : "-affiliation-results";
      search(event.target, url, found[1] + suffix, found[1]);
    }
    if (name === "references") { scheduleMatch(); }
  });

  // --- References matched live with /match --------------------------------------------------
  var references = form.querySelector("[name=references]");
  var dois = form.querySelector("[name=reference_dois]");
  var list = document.getElementById("reference-matches");
  var matchTimer = null;
  var cache = {};
  function scheduleMatch() {
    window.clearTimeout(matchTimer);
    matchTimer = window.setTimeout(matchAll, 600);
  }
  function matchOne(line) {
    if (cache[line]) { return Promise.resolve(cache[line]); }
    var doi = line.match(/10\.\d{4,9}\/[^\s"<>]+/);
    return fetch("/match?task=reference&input=" + encodeURIComponent(line), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error("no /match"); }
      return r.json();
    }).then(function (data) {
      var items = (data.message && data.message.items) || [];
      var hit = items.length ? { doi: items[0].id.replace(/^https?:\/\/(dx\.)?doi\.org\//, "").toLowerCase(),
                                 confidence: items[0].confidence } : { doi: "", confidence: null };
      cache[line] = hit;
      return hit;
    }).catch(function () {
      // Matching is not available: a DOI written in the reference is still used.
      return { doi: doi ? doi[0].replace(/[.,;]+$/, "").toLowerCase() : "", pending: !doi };
    });
  }
  function matchAll() {
    if (!references || !list) { return; }
    var lines = references.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    list.innerHTML = "";
    var items = lines.map(function (line) {
      var li = document.createElement("li");
      li.textContent = "Matching…";
      li.className = "match-pending";
      list.appendChild(li);
      return li;
    });
    Promise.all(lines.map(matchOne)).then(function (hits) {
      hits.forEach(function (hit, index) {
        var li = items[index];
        li.textContent = "";
        var text = document.createElement("span");
        text.textContent = lines[index].slice(0, 120) + (lines[index].length > 120 ? "…" : "") + " ";
        li.appendChild(text);
        var outcome = document.createElement("strong");
        if (hit.doi) {
          outcome.textContent = "→ " + hit.doi;
          li.className = "match-found";
        } else if (hit.pending) {
          outcome.textContent = "matching pending";
          li.className = "match-pending";
        } else {
          outcome.textContent = "no match found";
          li.className = "match-none";
        }
        li.appendChild(outcome);
      });
      dois.value = hits.map(function (h) { return h.doi || ""; }).join("\n");
    });
  }
  if (references && references.value.trim()) { matchAll(); }
})();
