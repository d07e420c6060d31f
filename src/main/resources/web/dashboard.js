// Live updates for the dashboard and the request page: when the server says a request changed, fetch this
// page's partial and swap it in. No reload; window.countersignLoadedAt stays what it was when the page loaded.
(function () {
  'use strict';
  window.countersignLoadedAt = window.countersignLoadedAt || Date.now();
  var view = document.getElementById('view');
  var live = document.getElementById('live');
  if (!view || !view.dataset.partial) return;
  var only = view.dataset.request;
  var busy = false, again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(view.dataset.partial, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        view.innerHTML = html;
        view.dataset.refreshes = String(Number(view.dataset.refreshes || 0) + 1);
      })
      .catch(function () { /* the next event or the timer tries again */ })
      .finally(function () { busy = false; if (again) { again = false; refresh(); } });
  }

  function status(text, ok) {
    if (!live) return;
    live.hidden = false;
    live.textContent = text;
    live.className = ok ? 'live' : 'live off';
  }

  if (window.EventSource) {
    var source = new EventSource('/events');
    // On every (re)connection: anything missed while away is in the fresh partial.
    source.addEventListener('open', function () { status('live', true); refresh(); });
    source.addEventListener('error', function () { status('reconnecting…', false); });
    source.addEventListener('request', function (e) {
      var event = JSON.parse(e.data);
      if (!only || event.request === only) refresh();
    });
  }
  setInterval(refresh, 30000); // keeps ages and times to expiry current
})();
