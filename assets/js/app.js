// Borgerdialog: progressive enhancement only; every page works without this file.
// Loaded with `defer` from base.html; nothing inline, so a strict CSP needs no exceptions.
(function () {
  'use strict';

  // The error summary also carries `autofocus` for browsers without JS; this makes
  // sure it has focus (and is scrolled into view) once the page is parsed.
  document.addEventListener('DOMContentLoaded', function () {
    var summary = document.querySelector('.js-error-summary');
    if (summary) {
      summary.focus();
    }
  });
})();
