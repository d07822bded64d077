// The submission page polls its live part with htmx (hx-get + hx-trigger="every 2s" on
// #submission-live). This keeps the tab title in step with the status, so a depositor who
// switched tabs sees at a glance when the file is done.
(function () {
  "use strict";
  var baseTitle = document.title;
  function showStatus() {
    var text = document.getElementById("submission-progress-text");
    document.title = text ? "(" + text.textContent.split(":")[0] + ") " + baseTitle : baseTitle;
  }
  document.body.addEventListener("htmx:afterSwap", showStatus);
  showStatus();
})();
