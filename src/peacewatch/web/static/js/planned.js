/* peacewatch: the planned-mission form's host picker fills the host's latest known values (the
   fields stay editable; without JavaScript the server fills empty fields from the chosen host). */
(function () {
  "use strict";
  var picker = document.getElementById("f-host");
  var source = document.getElementById("host-values");
  if (!picker || !source) return;
  var values = JSON.parse(source.textContent);
  var hint = document.getElementById("host-hint");
  var fields = { gdppc: "f-gdppc", population: "f-population", polity2: "f-polity2", conflict: "f-conflict" };
  function n(v) { return Number(v).toLocaleString("en-US"); }
  picker.addEventListener("change", function () {
    var h = values[picker.value];
    Object.keys(fields).forEach(function (k) {
      var input = document.getElementById(fields[k]);
      if (input) input.value = h && h[k] !== undefined ? h[k] : "";
    });
    if (!h) { hint.textContent = "Host characteristics are set to the estimation-sample mean."; return; }
    hint.textContent = "Filled with the latest known values of " + h.country + ": GDP per capita " +
      (h.gdppc !== undefined ? "US$ " + n(h.gdppc) + " (" + h.gdppc_year + ")" : "unknown") + ", population " +
      (h.population !== undefined ? n(h.population) + " (" + h.population_year + ")" : "unknown") + ", Polity2 " +
      (h.polity2 !== undefined ? h.polity2 + " (" + h.polity2_year + ")" : "unknown") + ", armed conflict " +
      (h.conflict !== undefined ? (h.conflict ? "yes" : "no") + " (" + h.conflict_year + ")" : "unknown") +
      ". Change any of them if you know better.";
  });
})();
