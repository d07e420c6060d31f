// The local console: commands, the request form and the card's buttons, each a small JSON call; the answers only
// the presser should see are shown here, and cards are refreshed from the live events.
(function () {
  'use strict';
  window.countersignLoadedAt = window.countersignLoadedAt || Date.now();
  var root = document.getElementById('console');
  if (!root) return;
  var as = root.dataset.as, csrf = root.dataset.csrf;
  var channel = document.getElementById('channel');
  var composer = document.getElementById('composer');
  var input = document.getElementById('command');
  var requestForm = document.getElementById('request-form');
  var noteForm = document.getElementById('note-form');
  var editForm = document.getElementById('edit-form');
  var live = document.getElementById('live');

  function post(path, body) {
    body.as = as;
    return fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Countersign-Csrf': csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        var data;
        try { data = JSON.parse(text); } catch (e) { data = { error: 'The server answered ' + r.status + '.' }; }
        return { ok: r.ok, status: r.status, data: data };
      });
    }, function () { return { ok: false, status: 0, data: { error: 'Countersign did not answer; is it running?' } }; });
  }

  function say(text, kind) {
    var m = document.createElement('div');
    m.className = 'message ephemeral' + (kind ? ' ' + kind : '');
    m.textContent = text;
    channel.appendChild(m);
    m.scrollIntoView({ block: 'nearest' });
    return m;
  }

  function upsertCard(id) {
    return fetch('/console/cards/' + encodeURIComponent(id) + '?as=' + encodeURIComponent(as),
      { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement('div');
        holder.innerHTML = html;
        var card = holder.firstElementChild;
        var old = document.getElementById('card-' + id);
        if (old) old.replaceWith(card); else { channel.appendChild(card); card.scrollIntoView({ block: 'nearest' }); }
      });
  }

  function refreshAll() {
    document.querySelectorAll('#channel .card').forEach(function (card) { upsertCard(card.dataset.request); });
  }

  // ---- commands --------------------------------------------------------------------------------------------
  composer.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var echo = document.createElement('div');
    echo.className = 'message mine';
    echo.textContent = as + ': ' + text;
    channel.appendChild(echo);
    input.value = '';
    post('/console/command', { text: text }).then(function (r) {
      if (!r.ok) say(r.data.error, 'error');
      else if (r.data.form) openRequestForm(r.data.form);
      else if (r.data.edit) openEditForm(r.data.edit);
      else say(r.data.reply || r.data.message, r.data.outcome === 'applied' ? 'ok' : '');
    });
  });

  // ---- the request form ------------------------------------------------------------------------------------
  function clearErrors(form) {
    form.querySelectorAll('p.error').forEach(function (p) { p.textContent = ''; });
    form.querySelectorAll('.field.invalid').forEach(function (f) { f.classList.remove('invalid'); });
    form.querySelectorAll('[aria-invalid]').forEach(function (c) { c.removeAttribute('aria-invalid'); });
  }

  // A field's problem: shown under it (its control is described by that line) and marked invalid.
  function fieldError(form, name, text) {
    var p = form.querySelector('p.error[data-error-for="' + name + '"]');
    if (!p) return false;
    p.textContent = text;
    var field = p.closest('.field');
    field.classList.add('invalid');
    field.querySelectorAll('input, select, textarea').forEach(function (c) { c.setAttribute('aria-invalid', 'true'); });
    return true;
  }

  // After a failed submit, the first field with a problem takes the focus (not <body>), so one can fix it at once.
  function focusFirstProblem(form) {
    var control = form.querySelector('[aria-invalid=true]');
    var target = control || form.querySelector('p.error[tabindex]:not(:empty)');
    if (!target) return;
    target.focus();
    target.scrollIntoView({ block: 'center' });
  }

  function openRequestForm(prefill) {
    var form = requestForm.querySelector('form');
    form.reset();
    clearErrors(form);
    if (prefill.reason) form.elements.reason.value = prefill.reason;
    if (prefill.summary) form.elements.summary.value = prefill.summary;
    // Where the deployment windows stand, as text: the server wrote it, the page never reads it as markup.
    form.querySelector('#windows-standing').textContent = prefill.standing ? prefill.standing + '.' : '';
    requestForm.showModal();
    (prefill.reason ? form.elements.changes : form.elements.reason).focus();
  }

  requestForm.querySelector('form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target, button = document.getElementById('open-request');
    var checked = form.querySelector('input[name=rollback]:checked');
    var body = {};
    ['reason', 'summary', 'changes', 'task', 'why_not_rollback', 'deployer', 'details'].forEach(function (name) {
      body[name] = form.elements[name].value;
    });
    body.rollback = checked ? checked.value : null;
    button.disabled = true;
    post('/console/requests', body).then(function (r) {
      button.disabled = false;
      clearErrors(form);
      if (r.ok) {
        requestForm.close();
        say(r.data.message, 'ok');
        upsertCard(r.data.request);
        return;
      }
      var fields = r.data.fields || {};
      var shown = false;
      Object.keys(fields).forEach(function (name) { if (fieldError(form, name, fields[name])) shown = true; });
      if (!shown) form.querySelector('p.error[data-error-for="_form"]').textContent = r.data.error;
      focusFirstProblem(form);
    });
  });

  document.querySelectorAll('dialog [data-close]').forEach(function (b) {
    b.addEventListener('click', function () { b.closest('dialog').close(); });
  });

  // ---- the card's buttons ----------------------------------------------------------------------------------
  var NOTES = {
    reject: { title: 'Reject request', label: 'Why do you reject it?', submit: 'Reject', danger: true,
      intro: 'The requester sees your reason, so say what would make it acceptable.' },
    close: { title: 'Close request', label: 'Follow-up note', submit: 'Close', danger: false,
      intro: 'What is left to do (the proper fix, a task, an incident report).' }
  };
  var noteFor = null;

  function press(id, action, team, note) {
    return post('/console/requests/' + encodeURIComponent(id) + '/actions',
      { action: action, team: team || null, note: note || null })
      .then(function (r) {
        if (r.ok) { say(r.data.message, r.data.outcome === 'applied' ? 'ok' : 'unchanged'); upsertCard(id); }
        return r;
      });
  }
  window.countersignPress = press; // the same call a button makes, for tests of stale cards and double clicks

  // ---- editing the changes: the server says first whether this person may, and with which changes ----------
  var editFor = null;

  function openEditForm(edit) {
    var form = editForm.querySelector('form');
    form.reset();
    clearErrors(form);
    editFor = edit.request;
    editForm.querySelector('h2').textContent = 'Edit the changes of ' + edit.request;
    form.elements.changes.value = (edit.changes || []).join('\n');
    editForm.showModal();
    form.elements.changes.focus();
  }

  editForm.querySelector('form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target, id = editFor;
    post('/console/requests/' + encodeURIComponent(id) + '/actions', { action: 'edit', changes: form.elements.changes.value })
      .then(function (r) {
        if (r.ok) {
          editForm.close();
          say(r.data.message, r.data.outcome === 'applied' ? 'ok' : 'unchanged');
          upsertCard(id);
          return;
        }
        clearErrors(form);
        fieldError(form, 'changes', r.data.error);
        focusFirstProblem(form);
      });
  });

  channel.addEventListener('click', function (e) {
    var button = e.target.closest('button[data-action]');
    if (!button) return;
    // A button this person may not press says why (the server asked the same rules the press would meet).
    if (button.getAttribute('aria-disabled') === 'true') { say(button.title, 'error'); return; }
    var card = button.closest('.card'), id = card.dataset.request, action = button.dataset.action;
    if (action === 'edit') {
      post('/console/requests/' + encodeURIComponent(id) + '/actions', { action: 'edit' }).then(function (r) {
        if (r.ok && r.data.edit) openEditForm(r.data.edit);
        else say(r.data.error || r.data.message, r.ok ? '' : 'error');
      });
      return;
    }
    if (NOTES[action]) {
      var n = NOTES[action], form = noteForm.querySelector('form');
      form.reset();
      clearErrors(form);
      noteFor = { id: id, action: action };
      noteForm.querySelector('h2').textContent = n.title + ' ' + id;
      noteForm.querySelector('.intro').textContent = n.intro;
      noteForm.querySelector('label').textContent = n.label;
      var submit = document.getElementById('note-submit');
      submit.textContent = n.submit;
      submit.className = 'btn ' + (n.danger ? 'danger' : 'primary');
      noteForm.showModal();
      form.elements.note.focus();
      return;
    }
    press(id, action, button.dataset.team).then(function (r) { if (!r.ok) say(r.data.error, 'error'); });
  });

  noteForm.querySelector('form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    press(noteFor.id, noteFor.action, null, form.elements.note.value).then(function (r) {
      if (r.ok) { noteForm.close(); return; }
      clearErrors(form);
      fieldError(form, 'note', r.data.error);
      focusFirstProblem(form);
    });
  });

  // The picker of whom to act as; a person signed in through the identity provider acts as themselves and has none
  // (an unguarded lookup threw here and stopped the live cards below for them).
  var picker = document.getElementById('as');
  if (picker) picker.addEventListener('change', function (e) {
    location.href = '/console?as=' + encodeURIComponent(e.target.value);
  });

  // ---- live cards ------------------------------------------------------------------------------------------
  if (window.EventSource) {
    var source = new EventSource('/events');
    source.addEventListener('open', function () {
      if (live) { live.hidden = false; live.textContent = 'live'; live.className = 'live'; }
      refreshAll();
    });
    source.addEventListener('error', function () {
      if (live) { live.hidden = false; live.textContent = 'reconnecting…'; live.className = 'live off'; }
    });
    source.addEventListener('request', function (e) { upsertCard(JSON.parse(e.data).request); });
  }
  input.focus();
})();
