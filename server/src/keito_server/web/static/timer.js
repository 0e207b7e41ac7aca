// Running timers tick in the browser. The server renders each running timer with
// data-timer-start (epoch milliseconds when it started, minus time already recorded), so a
// reload simply starts ticking from the truth again. No other script is needed: htmx does the rest.
(function () {
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-timer-start]").forEach(function (el) {
      var start = parseInt(el.getAttribute("data-timer-start"), 10);
      if (isNaN(start)) return;
      var s = Math.max(0, Math.floor((now - start) / 1000));
      el.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 1000);
})();
