/* Phone and tablet navigation. pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 each render a
   ".primary-toggle" (site navigation) and a ".secondary-toggle" (on this page) button, and both
   themes' scripts bind only the first one found, which is hidden: the button a reader sees did
   nothing (pydata/pydata-sphinx-theme#2451). A click on any other such button is passed on to the
   bound one, which opens the drawer on a narrow screen and folds the sidebar on a wide one. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    ["primary-toggle", "secondary-toggle"].forEach(function (name) {
      var pressed = event.target.closest("." + name);
      var bound = document.querySelector("." + name);
      if (pressed && bound && pressed !== bound) {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      }
    });
  }, true);
})();
