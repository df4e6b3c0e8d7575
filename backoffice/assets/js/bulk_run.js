// A bulk run's page: while the run works, ask the server every 2 s where it stands and move
// the progress bar and counts; once it has ended, reload for the summary of what failed.
(function () {
  'use strict';
  var run = document.getElementById('run');
  if (!run || run.dataset.active !== 'true') return;

  function show(state) {
    run.querySelector('[data-bar="done"]').style.width = state.done_percent + '%';
    run.querySelector('[data-bar="failed"]').style.width = state.failed_percent + '%';
    ['done', 'failed', 'left'].forEach(function (key) {
      run.querySelector('[data-count="' + key + '"]').textContent = state[key];
    });
    run.querySelector('[role="progressbar"]').setAttribute('aria-valuenow', state.done + state.failed);
    run.querySelector('[data-summary]').textContent = state.summary;
    var badge = document.getElementById('run-state');
    if (badge) badge.textContent = state.state;
    var cancel = document.querySelector('#run-cancel button');
    if (cancel && state.cancelling) {
      cancel.disabled = true;
      cancel.textContent = 'Cancelling…';
    }
  }

  window.pollJson(run.dataset.endpoint, function (state) {
    show(state);
    if (!state.active) window.location.reload(); // the summary lists what failed and why
    return state.active;
  });
})();
