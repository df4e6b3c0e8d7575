// Asks a JSON endpoint where something stands, every 2 s while it works: pollJson(url, onState)
// calls onState with each answer and asks again while onState returns true. Used by the pages
// that show work in progress (an invoice's delivery, a bulk run).
window.pollJson = function (endpoint, onState) {
  'use strict';
  var delay = 2000;

  function poll() {
    fetch(endpoint, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        // Signed out, refused or gone: asking again would not change that.
        if (response.status >= 400 && response.status < 500) return null;
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (state) {
        if (!state) return;
        delay = 2000;
        if (onState(state)) window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the server is busy or away: ask less often
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
};
