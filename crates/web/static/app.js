// cyberbridge: small progressive enhancements; every page works without this file.
(function () {
  // legend toggles: show or hide a chart's series
  document.querySelectorAll('[data-legend]').forEach(function (legend) {
    var chart = document.getElementById(legend.getAttribute('data-legend'));
    if (!chart) return;
    legend.querySelectorAll('button[data-series]').forEach(function (b) {
      b.addEventListener('click', function () {
        var on = b.getAttribute('aria-pressed') !== 'true';
        b.setAttribute('aria-pressed', on ? 'true' : 'false');
        chart.querySelectorAll('[data-series="' + b.getAttribute('data-series') + '"]').forEach(function (g) {
          g.classList.toggle('off', !on);
        });
      });
    });
  });
  // filters apply as soon as a choice changes
  // (empty fields are left out, so the URL holds only the filters in use)
  var form = document.getElementById('filters');
  if (form) {
    var send = function () {
      form.querySelectorAll('input, select').forEach(function (el) {
        if (el.name && el.value === '') el.disabled = true;
      });
      form.submit();
    };
    form.addEventListener('submit', function (e) { e.preventDefault(); send(); });
    form.querySelectorAll('select').forEach(function (s) {
      s.addEventListener('change', send);
    });
  }
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });
})();
