// The invoice page's delivery card: while the PDF or an email is pending, ask the server
// every few seconds where they stand and show it; stop once nothing is pending.
(function () {
  'use strict';
  var card = document.getElementById('delivery');
  if (!card || card.dataset.pending !== 'true') return;
  var BADGES = { pending: 'secondary', delivered: 'success', failed: 'danger' };
  var delay = 2000;

  function show(state) {
    state.items.forEach(function (item) {
      var row = card.querySelector('[data-key="' + item.key + '"]');
      if (!row) return;
      var badge = row.querySelector('[data-badge]');
      badge.textContent = item.badge;
      badge.className = 'badge ml-2 badge-' + BADGES[item.state];
      row.querySelector('[data-note]').textContent = item.note;
      row.querySelector('[data-error]').textContent = item.error;
      row.dataset.state = item.state;
    });
    var status = document.getElementById('invoice-status');
    if (status) status.textContent = state.status; // a delivered email makes it "sent"
    var retry = document.getElementById('delivery-retry');
    if (retry) retry.hidden = !state.can_retry;
    card.dataset.pending = state.pending ? 'true' : 'false';
  }

  function poll() {
    fetch(card.dataset.endpoint, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        // Signed out, refused or gone: asking again would not change that.
        if (response.status >= 400 && response.status < 500) return null;
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (state) {
        if (!state) return;
        delay = 2000;
        show(state);
        if (state.pending) window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the server is busy or away: ask less often
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
