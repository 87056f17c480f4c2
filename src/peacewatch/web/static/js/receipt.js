/* peacewatch: copy the anonymous report's receipt number (the button stays hidden without JavaScript;
   the number can always be selected and copied by hand). Nothing is sent anywhere. */
(function () {
  "use strict";
  var button = document.getElementById("copy-receipt");
  var status = document.getElementById("copy-status");
  var receipt = document.getElementById("receipt");
  if (!button || !receipt) return;
  button.hidden = false;
  function selectReceipt() {
    var range = document.createRange();
    range.selectNodeContents(receipt);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  function done(ok) {
    // The page's own language (data-copied, data-blocked), English if they are missing.
    status.textContent = ok ? (button.dataset.copied || "Copied. Paste it somewhere only you can read.")
                            : (button.dataset.blocked || "Copying is blocked here: the number is selected, copy it with your device's copy command.");
  }
  button.addEventListener("click", function () {
    var text = button.dataset.copy;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { selectReceipt(); done(false); });
    } else {
      selectReceipt();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
  });
})();
