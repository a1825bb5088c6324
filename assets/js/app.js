// Borgerdialog: progressive enhancement only; every page works without this file.
// Loaded with `defer` from base.html; nothing inline, so a strict CSP needs no exceptions.
(function () {
  'use strict';

  // Turns on what only works with a script: the fields under a ticked box ("Tolk" → which language) hide
  // while their box is not ticked (assets/scss/parts/_citizen.scss, .checkbox-reveal).
  document.documentElement.classList.add('js');

  // The error summary also carries `autofocus` for browsers without JS; this makes
  // sure it has focus (and is scrolled into view) once the page is parsed.
  document.addEventListener('DOMContentLoaded', function () {
    var summary = document.querySelector('.js-error-summary');
    if (summary) {
      summary.focus();
    }
  });
})();
