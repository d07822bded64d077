// Follows a queued or processing submission: polls its status JSON every 2 seconds,
// shows the queue position or records done, and reloads the page when its status changes
// (from queued to processing, or to finished).
(function () {
  "use strict";
  var box = document.getElementById("submission-progress");
  if (!box || !window.fetch) { return; }
  var text = document.getElementById("submission-progress-text");
  var url = box.getAttribute("data-status-url");
  var status = box.getAttribute("data-status");

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (progress) {
        // Finished, or moved from the queue to processing: show the page as it now is.
        if (progress.finished || progress.status !== status) {
          window.location.reload();
          return;
        }
        if (text.textContent !== progress.summary) { text.textContent = progress.summary; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        // A hiccup (server restarting, network): try again a little later.
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 2000);
})();
