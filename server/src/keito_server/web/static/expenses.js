// New/edit expense form: show the amount or the quantity field for the chosen category, and
// the quantity × unit price total as it is typed. Without JavaScript both fields show.
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("expense-form");
    if (!form) return;
    var select = form.querySelector("#f-expense_category_id");
    var units = form.querySelector("#f-units");
    var out = form.querySelector("#live-total");
    var standard = form.querySelector(".standard-only");
    var unit = form.querySelector(".unit-only");
    function update() {
      var opt = select.options[select.selectedIndex];
      var unitName = opt ? opt.getAttribute("data-unit") : "";
      var price = opt ? opt.getAttribute("data-price") : "";
      standard.hidden = !!unitName && !!price;
      unit.hidden = !unitName;
      if (!unitName) { out.textContent = ""; return; }
      var qty = parseInt(units.value, 10);
      if (!price) {
        out.textContent = "No unit price set: " + (unitName.indexOf("token") >= 0 ? "priced from the model when token counts are sent, otherwise marked as needing a price." : "this expense will need a price.");
        return;
      }
      if (!(qty > 0)) { out.textContent = "× " + price + " per " + unitName; return; }
      // Exact decimal product of a whole quantity and a decimal price (no binary floats).
      var parts = price.split(".");
      var places = parts[1] ? parts[1].length : 0;
      var scaled = BigInt(parts[0] + (parts[1] || "")) * BigInt(qty);
      var s = scaled.toString().padStart(places + 1, "0");
      var total = places ? s.slice(0, s.length - places) + "." + s.slice(s.length - places) : s;
      out.textContent = qty + " × " + price + " per " + unitName + " = " + total;
    }
    select.addEventListener("change", update);
    units.addEventListener("input", update);
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
