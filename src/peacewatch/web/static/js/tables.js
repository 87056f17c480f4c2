/* peacewatch: say so when a table is wider than its scroll region (the region itself is focusable,
   so keyboard users scroll it with the arrow keys). Without JavaScript the edge shadows still show. */
(function () {
  "use strict";
  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap, i) {
      var over = wrap.scrollWidth > wrap.clientWidth + 1;
      var hint = wrap.previousElementSibling && wrap.previousElementSibling.classList.contains("scroll-hint")
        ? wrap.previousElementSibling : null;
      if (over && !hint) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.id = "scroll-hint-" + i;
        hint.textContent = "The table is wider than the screen: scroll it sideways (or focus it and use the arrow keys) to see every column.";
        wrap.parentNode.insertBefore(hint, wrap);
        var described = wrap.getAttribute("aria-describedby");
        wrap.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
      }
      if (hint) hint.classList.toggle("shown", over);
      wrap.classList.toggle("is-scrollable", over);
    });
  }
  var pending = null;
  window.addEventListener("resize", function () { clearTimeout(pending); pending = setTimeout(update, 150); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update); else update();
})();
