// The invoice page's delivery card: while the PDF or an email is pending, ask the server
// every few seconds where they stand and show it; stop once nothing is pending.
(function () {
  'use strict';
  var card = document.getElementById('delivery');
  if (!card || card.dataset.pending !== 'true') return;
  var BADGES = { pending: 'secondary', delivered: 'success', failed: 'danger' };

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

  window.pollJson(card.dataset.endpoint, function (state) {
    show(state);
    return state.pending;
  });
})();
