// "Use my location": fills the near field with the browser's position (only on request).
(function () {
  "use strict";
  document.querySelectorAll("form.search-form").forEach(function (form) {
    var button = form.querySelector(".locate-me");
    var near = form.querySelector("input[name=near]");
    if (!button || !near || !("geolocation" in navigator)) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = button.dataset.labelBusy;
      navigator.geolocation.getCurrentPosition(function (position) {
        near.value = position.coords.latitude.toFixed(5) + "," + position.coords.longitude.toFixed(5);
        button.disabled = false;
        button.textContent = label;
        form.submit();
      }, function () {
        button.disabled = false;
        button.textContent = button.dataset.labelFailed;
      }, {timeout: 10000, maximumAge: 600000});
    });
  });
})();
