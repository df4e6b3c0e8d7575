// The top bar's search box: hits as you type, grouped by kind; arrows move, Enter opens the
// highlighted hit (or the first one, asking at once if the answer is not in yet), Escape
// closes, "/" anywhere jumps to the box. Hits are built as text nodes, never as HTML.
(function () {
  'use strict';
  var form = document.getElementById('global-search');
  if (!form) return;
  var input = form.querySelector('input');
  var menu = form.querySelector('.dropdown-menu');
  var DELAY_MS = 150; // fast typists send one request per pause, not one per key
  var timer = null;
  var asked = null; // {query, answer}: the last question, reused by Enter and on refocus
  var active = -1;

  function current() {
    return input.value.trim().replace(/\s+/g, ' ');
  }

  function ask(query) {
    if (asked && asked.query === query) return asked.answer;
    var answer = fetch(form.dataset.endpoint + '?q=' + encodeURIComponent(query), {
      headers: {Accept: 'application/json'},
      credentials: 'same-origin'
    })
      .then(function (response) {
        if (!response.ok) throw new Error('search answered ' + response.status);
        return response.json();
      })
      .catch(function () {
        asked = null; // ask again next time
        return {groups: [], message: 'Search is unavailable just now; try again.'};
      });
    asked = {query: query, answer: answer};
    return answer;
  }

  function links() {
    return menu.querySelectorAll('a.dropdown-item');
  }

  function setOpen(visible) {
    menu.classList.toggle('show', visible);
    input.setAttribute('aria-expanded', String(visible));
    if (!visible) highlight(-1);
  }

  function highlight(index) {
    active = index;
    links().forEach(function (link, i) {
      link.classList.toggle('active', i === index);
      link.setAttribute('aria-selected', String(i === index));
    });
    if (index < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    input.setAttribute('aria-activedescendant', links()[index].id);
    links()[index].scrollIntoView({block: 'nearest'});
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  function show(data) {
    menu.textContent = '';
    var count = 0;
    data.groups.forEach(function (group) {
      menu.appendChild(element('h6', 'dropdown-header', group.title));
      group.hits.forEach(function (hit) {
        var link = element('a', 'dropdown-item', '');
        link.href = hit.url;
        link.id = 'global-search-hit-' + count++;
        link.setAttribute('role', 'option');
        link.appendChild(element('span', '', hit.label));
        link.appendChild(element('small', 'd-block text-muted text-truncate', hit.detail));
        menu.appendChild(link);
      });
    });
    if (data.message) menu.appendChild(element('span', 'dropdown-item-text text-muted', data.message));
    setOpen(menu.childElementCount > 0);
  }

  function refresh() {
    var query = current();
    if (!query) {
      setOpen(false);
      return;
    }
    ask(query).then(function (data) {
      if (query === current()) show(data); // an older answer arriving late is dropped
    });
  }

  function openFirst() {
    var query = current();
    if (!query) return;
    clearTimeout(timer);
    ask(query).then(function (data) {
      if (query !== current()) return;
      var first = data.groups.length ? data.groups[0].hits[0] : null;
      if (first) window.location.assign(first.url);
      else show(data);
    });
  }

  function move(step) {
    var count = links().length;
    if (!menu.classList.contains('show') || !count) return refresh();
    if (active < 0) highlight(step > 0 ? 0 : count - 1);
    else highlight((active + step + count) % count);
  }

  input.addEventListener('input', function () {
    highlight(-1);
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  });

  input.addEventListener('keydown', function (event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      move(event.key === 'ArrowDown' ? 1 : -1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (active >= 0) window.location.assign(links()[active].href);
      else openFirst();
    } else if (event.key === 'Escape') {
      event.preventDefault(); // a search field's default would also clear what was typed
      setOpen(false);
    }
  });

  input.addEventListener('focus', refresh);

  document.addEventListener('click', function (event) {
    if (!form.contains(event.target)) setOpen(false);
  });

  document.addEventListener('keydown', function (event) {
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
    }
  });

  // Type at once on screens that are for reading; an edit form keeps the focus for itself.
  if (document.activeElement === document.body && !document.querySelector('form.admin-form')) {
    input.focus();
  }
})();
