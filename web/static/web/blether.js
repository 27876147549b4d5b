// Blether's own script: small extras on top of pages that work without it.
(function () {
  "use strict";

  // "Use my location": fill the form's lat/lng from the browser and submit it.
  function wireLocation(root) {
    if (!("geolocation" in navigator)) return;
    root.querySelectorAll("[data-use-location]").forEach(function (button) {
      if (button.dataset.wired) return;
      button.dataset.wired = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var form = button.closest("form");
        button.disabled = true;
        navigator.geolocation.getCurrentPosition(
          function (pos) {
            form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(3);
            form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(3);
            // The place found last wins: a postcode typed earlier would otherwise override it.
            var postcode = form.querySelector("[name=postcode]");
            if (postcode) postcode.value = "";
            button.disabled = false;
            if (form.method.toLowerCase() === "get") form.requestSubmit();
            else button.textContent = "Location added";
          },
          function () {
            button.disabled = false;
            button.textContent = "Could not find your location";
          },
          { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
        );
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { wireLocation(document); });
  document.addEventListener("htmx:load", function (event) { wireLocation(event.target); });

  // An error summary takes focus so screen readers announce it (GOV.UK pattern).
  function focusErrors() {
    var summary = document.querySelector(".govuk-error-summary");
    if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("htmx:afterSettle", focusErrors);

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
})();
