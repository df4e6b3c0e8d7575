// The draft form as it is typed. A product fills its line, a customer the currency, terms
// and due date; the line nets, the VAT per rate, the total and whether Issue is offered come
// from the server's own pricing (POST preview/), asked once per pause in typing. Nothing is
// computed here. Text from the server is set as text, never as HTML.
(function () {
  'use strict';
  var root = document.getElementById('invoice-entry');
  if (!root || !window.jQuery || !window.faForm) return;
  var $ = window.jQuery;
  var form = root.querySelector('form');
  var DELAY_MS = 250; // one question per pause in typing, not one per key
  var timer = null;
  var asked = 0; // an answer to an older question than the latest is dropped

  function input(name) {
    return form.querySelector('[name="' + name + '"]');
  }

  function value(name) {
    var element = input(name);
    return element ? element.value.trim() : '';
  }

  function setValue(name, text) {
    var element = input(name);
    if (element) element.value = text;
  }

  function cards() {
    return Array.prototype.slice.call(
      form.querySelectorAll('#lines > .inline-field-list > .inline-field'));
  }

  function lineValue(card, name) {
    return value(card.id + '-' + name);
  }

  function isDeleted(card) {
    var box = card.querySelector('input[type=checkbox][name^="del-"]');
    return Boolean(box && box.checked);
  }

  // A line added here and left untouched: not sent, not saved.
  function isBlank(card) {
    return card.classList.contains('fresh') &&
      !lineValue(card, 'product') && !lineValue(card, 'description') &&
      !lineValue(card, 'unit_price');
  }

  function liveCards() {
    return cards().filter(function (card) { return !isDeleted(card) && !isBlank(card); });
  }

  function addLine() {
    window.faForm.addInlineField(document.getElementById('lines-button'), 'lines');
    var added = cards().pop();
    if (!lineValue(added, 'discount_percent')) setValue(added.id + '-discount_percent', '0');
    return added;
  }

  function keepBlankLineAtEnd() {
    var all = cards();
    if (!all.length || !isBlank(all[all.length - 1])) addLine();
  }

  function text(id, content) {
    document.getElementById(id).textContent = content;
  }

  function problem(message) {
    var note = document.getElementById('live-problem');
    note.textContent = message || '';
    document.getElementById('live-totals').classList.toggle('stale', Boolean(message));
  }

  function showNet(card, content) {
    var net = card.querySelector('.line-net');
    if (!net) {
      net = document.createElement('div');
      net.className = 'line-net';
      card.querySelector('.inline-form-field').appendChild(net);
    }
    net.textContent = content;
  }

  function showBreakdown(rows) {
    var body = document.getElementById('live-breakdown');
    body.textContent = '';
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      [row.rate, row.category, row.taxable.text, row.tax.text].forEach(function (cell, i) {
        var td = document.createElement('td');
        td.textContent = cell;
        if (i > 1) td.className = 'text-right';
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function showRate(rate) {
    var field = input('exchange_rate');
    if (!field) return;
    var group = field.closest('.form-group');
    group.hidden = !rate.needed && !field.value;
    var help = group.querySelector('.form-text');
    if (!help || !rate.needed) return;
    var currency = value('currency') || 'the invoice currency';
    help.textContent = 'Needed to issue in ' + currency + ': ' + rate.base_currency +
      ' per 1 ' + currency + '.' +
      (rate.suggested ? ' Suggested ' + rate.suggested + ': ' + rate.source + '. ' : ' ');
    if (rate.suggested && field.value !== rate.suggested) {
      var use = document.createElement('button');
      use.type = 'button';
      use.className = 'btn btn-link btn-sm p-0 align-baseline';
      use.textContent = 'Use ' + rate.suggested;
      use.addEventListener('click', function () {
        field.value = rate.suggested;
        schedule();
      });
      help.appendChild(use);
    }
  }

  function showBlocker(blocker) {
    form.querySelectorAll('[data-issue]').forEach(function (button) {
      button.disabled = Boolean(blocker);
    });
    var note = document.getElementById('issue-blocker');
    if (note) {
      note.textContent = blocker || '';
      note.hidden = !blocker;
    }
  }

  function show(sent, data) {
    sent.forEach(function (card, i) { showNet(card, 'Net ' + data.lines[i].text); });
    showBreakdown(data.breakdown);
    text('live-net', data.net.text);
    text('live-tax', data.tax.text);
    text('live-total', data.total.text);
    showRate(data.exchange_rate);
    showBlocker(data.issue_blocker);
    problem('');
  }

  function ask() {
    if (!value('customer')) {
      problem('Choose a customer: the totals depend on their currency.');
      return;
    }
    var sent = liveCards();
    var body = {
      customer: value('customer'),
      invoice: root.dataset.invoice || null,
      currency: value('currency'),
      exchange_rate: value('exchange_rate'),
      lines: sent.map(function (card) {
        return {
          quantity: lineValue(card, 'quantity'),
          unit_price: lineValue(card, 'unit_price'),
          discount_percent: lineValue(card, 'discount_percent'),
          tax_rate: lineValue(card, 'tax_rate')
        };
      })
    };
    var mine = ++asked;
    fetch(root.dataset.preview, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRFToken': root.dataset.csrf
      },
      body: JSON.stringify(body)
    })
      .then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      })
      .then(function (answer) {
        if (mine !== asked) return;
        if (answer.ok) show(sent, answer.data);
        else problem(answer.data.error);
      })
      .catch(function () {
        if (mine === asked) problem('The totals are unavailable just now; saving computes them.');
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY_MS);
  }

  function getJson(url, params) {
    return fetch(url + '?' + new URLSearchParams(params), {
      credentials: 'same-origin',
      headers: {Accept: 'application/json'}
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || 'refused');
        return data;
      });
    });
  }

  // fields: which of the customer's values to fill in; a saved draft opens with only its
  // empty ones filled.
  function fillFromCustomer(fields, onlyEmpty) {
    if (!value('customer')) return;
    if (root.dataset.kind === 'credit_note') {
      ask(); // a credit note keeps its invoice's currency and has no terms or due date
      return;
    }
    getJson(root.dataset.customerDefaults, {
      customer: value('customer'), issue_date: value('issue_date')
    }).then(function (filled) {
      fields.forEach(function (name) {
        if (!onlyEmpty || !value(name)) setValue(name, filled[name]);
      });
      ask();
    }).catch(function (error) { problem(error.message); });
  }

  function fillFromProduct(card) {
    var product = lineValue(card, 'product');
    if (!product) return;
    getJson(root.dataset.productLine, {product: product, currency: value('currency')})
      .then(function (line) {
        var prefix = card.id + '-';
        setValue(prefix + 'description', line.description);
        setValue(prefix + 'unit', line.unit);
        setValue(prefix + 'unit_price', line.unit_price);
        if (!lineValue(card, 'quantity')) setValue(prefix + 'quantity', '1');
        if (line.tax_rate) $(input(prefix + 'tax_rate')).val(String(line.tax_rate)).trigger('change');
        keepBlankLineAtEnd();
        var quantity = input(prefix + 'quantity');
        quantity.focus();
        quantity.select();
        ask();
      })
      .catch(function (error) { problem(error.message); });
  }

  $(function () {
    // Select2 announces its choices as jQuery events, which addEventListener does not see.
    $(form).on('change', 'input[name$="-product"]', function () {
      fillFromProduct(this.closest('.inline-field'));
    });
    $(form).on('change', '#customer', function () {
      fillFromCustomer(['currency', 'due_date', 'terms'], false);
      // On to the lines when there are none yet: the header is filled in from the customer.
      var first = cards()[0];
      if (cards().length === 1 && isBlank(first)) $(input(first.id + '-product')).select2('focus');
    });
    $(form).on('change', '#issue_date', function () { fillFromCustomer(['due_date'], false); });
    $(form).on('input change', '#lines :input, #currency, #exchange_rate', schedule);
    // Every submit button, and Enter in a field (which clicks the first one): the untouched
    // line at the end goes before the browser checks the required fields.
    form.addEventListener('click', function (event) {
      var button = event.target.closest('[type=submit]');
      if (!button) return;
      if (button.dataset.confirmIssue && !window.confirm(button.dataset.confirmIssue)) {
        event.preventDefault();
        return;
      }
      cards().filter(isBlank).forEach(function (card) { card.remove(); });
    });
    // The rate is asked for once the figures say the currency needs one.
    showRate({needed: false});
    keepBlankLineAtEnd();
    // On load only the empty fields are filled in.
    if (!value('customer')) $('#customer').select2('focus');
    else fillFromCustomer(['currency', 'due_date', 'terms'], true);
  });
})();
