// mbllm's page: a chat view over POST /api/chat and a compare view over POST /api/compare, both read as NDJSON
// streams. Plain browser JavaScript, no dependencies; every text from the server goes in through textContent.
'use strict';

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------- HTTP helpers

/** The message of an error answer: Ollama's {"error":"..."} or OpenAI's {"error":{"message":...}}. */
function errorText(body, status) {
  const e = body && body.error;
  if (typeof e === 'string') return e;
  if (e && typeof e.message === 'string') return e.message;
  return `the server answered HTTP ${status}`;
}

async function failure(res) {
  const text = await res.text().catch(() => '');
  try {
    return new Error(errorText(JSON.parse(text), res.status));
  } catch (_) {
    // not JSON (a 404 is plain text): a short body says it, else the status
    const plain = text.trim();
    return new Error(plain && plain.length <= 200 ? plain : errorText(null, res.status));
  }
}

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** Yields each JSON line of a streamed body as it arrives. */
async function* ndjson(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line);
    }
    if (done) break;
  }
  if (buffered.trim()) yield JSON.parse(buffered);
}

/** POSTs JSON and returns the NDJSON line iterator; an error status becomes an Error with the server's message. */
async function postStream(path, body, signal) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok) throw await failure(res);
  return ndjson(res);
}

const aborted = (e) => e && e.name === 'AbortError';

function showError(el, message) {
  el.textContent = message || '';
  el.hidden = !message;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// -------------------------------------------------------------------------------------------------- formatting

const UNITS = ['KB', 'MB', 'GB', 'TB'];
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** Bytes in decimal units, as the CLI prints them (1.2 MB, 131 KB, 512 B). */
function humanSize(bytes) {
  if (!isNum(bytes)) return bytes == null ? '—' : String(bytes);
  if (bytes < 1000) return `${bytes} B`;
  let v = bytes;
  let unit = -1;
  while (v >= 1000 && unit < UNITS.length - 1) {
    v /= 1000;
    unit++;
  }
  const rounded = Math.round(v * 10) / 10;
  if (rounded >= 10 || Number.isInteger(rounded)) return `${v >= 10 ? Math.floor(v) : rounded} ${UNITS[unit]}`;
  return `${rounded.toFixed(1)} ${UNITS[unit]}`;
}

const fixed = (digits) => (v) => (isNum(v) ? v.toFixed(digits) : '—');
/** KL divergences span orders of magnitude: 4 significant digits, in exponent form below 0.01. */
function kld(v) {
  if (!isNum(v)) return '—';
  if (v === 0) return '0';
  return Math.abs(v) < 0.01 ? v.toExponential(3) : v.toPrecision(4);
}
const percent = (v) => (isNum(v) ? `${(v * 100).toFixed(1)}%` : '—');
const integer = (v) => (isNum(v) ? String(Math.round(v)) : '—');
/** A token index, or "never" for a variant whose answers all equal the reference's (null). */
const divergence = (v, result) => (isNum(v) ? String(v) : result.reference ? '—' : 'never');

/** The metrics table's columns after the model name: result field and formatter, in header order. */
const METRICS = [
  ['size', humanSize],
  ['bits_per_weight', fixed(2)],
  ['load_ms', integer],
  ['prompt_tps', fixed(1)],
  ['gen_tps', fixed(1)],
  ['kld_mean', kld],
  ['kld_p99', kld],
  ['top1_agreement', percent],
  ['perplexity', fixed(3)],
  ['diverges_at', divergence],
];

// ------------------------------------------------------------------------------------------------------- tabs

function selectTab(name) {
  for (const view of ['chat', 'compare']) {
    const on = view === name;
    $(`tab-${view}`).setAttribute('aria-selected', String(on));
    $(`view-${view}`).hidden = !on;
  }
}

// ----------------------------------------------------------------------------------------------------- models

/** Fills the chat picker, the compare checkboxes and the reference picker from GET /api/tags. */
async function loadModels() {
  const tags = await getJson('/api/tags');
  const models = (tags.models || []).map((m) => ({
    name: m.name || m.model,
    size: m.size,
    quant: m.details && m.details.quantization_level,
  }));
  models.sort((a, b) => a.name.localeCompare(b.name));

  const picker = $('chat-model');
  const previous = picker.value;
  picker.replaceChildren();
  for (const m of models) picker.append(new Option(label(m), m.name));
  if (models.some((m) => m.name === previous)) picker.value = previous;
  $('chat-send').disabled = models.length === 0;

  const checks = $('compare-models');
  checks.replaceChildren();
  for (const m of models) {
    const box = el('input');
    box.type = 'checkbox';
    box.value = m.name;
    box.name = 'variant';
    const item = el('label', 'check');
    item.append(box, ` ${label(m)}`);
    checks.append(item);
  }
  const reference = $('compare-reference');
  reference.replaceChildren(new Option('(automatic: most bits per weight)', ''));
  for (const m of models) reference.append(new Option(label(m), m.name));

  if (models.length === 0) {
    const hint = 'No models yet: create one with "mbllm create NAME -f Modelfile" (see the README), then reload.';
    $('chat-empty').textContent = hint;
    checks.append(el('p', 'hint', hint));
  }
}

function label(m) {
  const parts = [m.quant, isNum(m.size) ? humanSize(m.size) : null].filter(Boolean);
  return parts.length ? `${m.name} (${parts.join(', ')})` : m.name;
}

// ------------------------------------------------------------------------------------------------------- chat

const chat = { history: [], controller: null };

function addMessage(role, text) {
  $('chat-empty').hidden = true;
  const box = el('div', `msg ${role}`);
  box.append(el('div', 'role', role === 'user' ? 'You' : $('chat-model').value));
  const body = el('div', 'content', text);
  box.append(body);
  $('chat-log').append(box);
  followLog(true);
  return box;
}

/**
 * Keeps the newest text in sight by scrolling the conversation box only (never the page, so the Stop button
 * stays where it is), and only while the reader is at the bottom: scrolled up to read, they stay put.
 */
function followLog(force) {
  const log = $('chat-log');
  if (force || log.dataset.follow !== 'false') log.scrollTop = log.scrollHeight;
}

function watchLogScroll() {
  const log = $('chat-log');
  log.addEventListener('scroll', () => {
    log.dataset.follow = String(log.scrollHeight - log.scrollTop - log.clientHeight < 24);
  });
}

function setChatBusy(busy) {
  $('chat-send').disabled = busy;
  $('chat-stop').disabled = !busy;
  $('chat-model').disabled = busy;
}

async function sendChat(event) {
  event.preventDefault();
  const text = $('chat-input').value.trim();
  const model = $('chat-model').value;
  if (!text || chat.controller) return;
  if (!model) {
    showError($('chat-error'), 'No model to chat with: create one first.');
    return;
  }
  showError($('chat-error'), '');
  $('chat-input').value = '';
  const history = chat.history; // "New chat" mid-answer starts a fresh list; this answer stays with its own
  history.push({ role: 'user', content: text });
  addMessage('user', text);
  const answer = addMessage('assistant', '');
  answer.classList.add('streaming');
  const content = answer.querySelector('.content');
  const controller = new AbortController();
  chat.controller = controller;
  setChatBusy(true);
  let reply = '';
  try {
    const request = { model, messages: history, stream: true, options: chatOptions() };
    const lines = await postStream('/api/chat', request, controller.signal);
    for await (const line of lines) {
      if (line.error) throw new Error(errorText(line));
      const piece = line.message && line.message.content;
      if (piece) {
        reply += piece;
        content.textContent = reply;
        followLog(false);
      }
      if (line.done) answer.append(el('div', 'stats', chatStats(line)));
    }
  } catch (e) {
    if (aborted(e)) answer.append(el('div', 'stats', 'stopped'));
    else showError($('chat-error'), e.message);
  } finally {
    answer.classList.remove('streaming');
    if (reply) {
      history.push({ role: 'assistant', content: reply });
    } else {
      history.pop(); // no answer: the question is not part of the conversation the model saw
      if (!answer.querySelector('.stats')) answer.remove();
    }
    chat.controller = null;
    setChatBusy(false);
    $('chat-input').focus();
  }
}

/** Temperature and token limit when set; empty fields leave the model's defaults. */
function chatOptions() {
  const options = {};
  const temperature = $('chat-temperature').value.trim();
  if (temperature !== '') options.temperature = Number(temperature);
  const limit = $('chat-num-predict').value.trim();
  if (limit !== '') options.num_predict = Number(limit);
  return options;
}

function chatStats(last) {
  const parts = [];
  if (isNum(last.eval_count)) parts.push(`${last.eval_count} tokens`);
  if (isNum(last.eval_count) && last.eval_duration > 0) {
    parts.push(`${(last.eval_count / last.eval_duration * 1e9).toFixed(1)} t/s`);
  }
  if (last.done_reason) parts.push(last.done_reason);
  return parts.join(' · ');
}

function clearChat() {
  if (chat.controller) chat.controller.abort();
  chat.history = [];
  $('chat-log').replaceChildren($('chat-empty'));
  $('chat-empty').hidden = false;
  showError($('chat-error'), '');
}

// ---------------------------------------------------------------------------------------------------- compare

const compare = { controller: null };

function compareState(state) {
  $('compare-output').dataset.state = state;
  const running = state === 'running';
  $('compare-run').disabled = running;
  $('compare-stop').disabled = !running;
}

/** One progress line per model, updated in place. */
function progressLine(model) {
  const list = $('compare-progress');
  let item = [...list.children].find((li) => li.dataset.model === model);
  if (!item) {
    item = el('li');
    item.dataset.model = model;
    item.append(el('span', 'name', model), el('progress'), el('span', 'what'));
    list.append(item);
  }
  return item;
}

/** What each phase of a variant's work is called in its progress line. */
const PHASES = { generating: 'generating', scoring: 'scoring against the reference', text: 'perplexity text' };

function showProgress(line) {
  const item = progressLine(line.model);
  const bar = item.querySelector('progress');
  const what = item.querySelector('.what');
  item.dataset.status = line.status;
  if (line.status === 'generating' && isNum(line.total) && line.total > 0) {
    bar.max = line.total;
    bar.value = line.completed || 0;
    what.textContent = `${PHASES[line.phase] || 'generating'} ${line.completed || 0}/${line.total}`;
  } else {
    bar.removeAttribute('value'); // indeterminate while loading
    what.textContent = line.status;
  }
}

function finishProgress(model) {
  const item = progressLine(model);
  item.dataset.status = 'done';
  const bar = item.querySelector('progress');
  bar.max = 1;
  bar.value = 1;
  item.querySelector('.what').textContent = 'done';
}

/** Ends the lines of models that got no result (the comparison failed or was stopped). */
function settleProgress(what) {
  for (const item of $('compare-progress').children) {
    if (item.dataset.status === 'done') continue;
    item.dataset.status = what;
    const bar = item.querySelector('progress');
    bar.max = 1;
    bar.value = 0;
    item.querySelector('.what').textContent = what;
  }
}

/** The answer column of one model: its answers (one per prompt) under its name. */
function showAnswers(result, reference) {
  const answers = $('compare-answers');
  let col = [...answers.children].find((c) => c.dataset.model === result.model);
  if (!col) {
    col = el('article', 'answer');
    col.dataset.model = result.model;
    answers.append(col);
  }
  const title = el('h3', null, result.model);
  if (isReference(result, reference)) title.append(el('span', 'badge', 'reference'));
  const texts = Array.isArray(result.answers) ? result.answers : [];
  const bodies = texts.map((t) => el('pre', 'text', t));
  if (bodies.length === 0) bodies.push(el('p', 'hint', '(no answer)'));
  col.replaceChildren(title, ...bodies);
  $('compare-answers-title').hidden = false;
}

/** The metrics row of one model, added or replaced. */
function showMetrics(result, reference) {
  const table = $('compare-metrics');
  const body = table.tBodies[0];
  let row = [...body.rows].find((r) => r.dataset.model === result.model);
  if (!row) {
    row = body.insertRow();
    row.dataset.model = result.model;
  }
  const name = el('th', null, result.model);
  name.scope = 'row';
  if (isReference(result, reference)) {
    name.append(el('span', 'badge', 'reference'));
    row.classList.add('reference');
  }
  const cells = METRICS.map(([field, format]) => {
    const td = el('td', 'num', format(result[field], result));
    td.dataset.field = field;
    return td;
  });
  row.replaceChildren(name, ...cells);
  table.hidden = false;
  $('compare-metrics-title').hidden = false;
}

const isReference = (result, reference) => result.reference === true || result.model === reference;

function showResult(result, reference) {
  showAnswers(result, reference);
  showMetrics(result, reference);
  finishProgress(result.model);
}

function resetCompareOutput() {
  $('compare-progress').replaceChildren();
  $('compare-answers').replaceChildren();
  $('compare-metrics').tBodies[0].replaceChildren();
  $('compare-metrics').hidden = true;
  $('compare-answers-title').hidden = true;
  $('compare-metrics-title').hidden = true;
  showError($('compare-error'), '');
}

/** The request body of POST /api/compare from the form, or an Error saying what is missing. */
function compareRequest() {
  const models = [...$('compare-models').querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);
  if (models.length < 2) throw new Error('Pick at least two variants to compare.');
  const prompt = $('compare-prompt').value.trim();
  const text = $('compare-text').value.trim();
  if (!prompt && !text) throw new Error('Enter a prompt (or a perplexity text).');
  const options = {};
  const seed = $('compare-seed').value.trim();
  if (seed !== '') options.seed = Number(seed);
  const n = $('compare-num-predict').value.trim();
  if (n !== '') options.num_predict = Number(n);
  const body = { models, options, stream: true };
  if (prompt) body.prompt = prompt;
  if (text) body.text = text;
  const reference = $('compare-reference').value;
  if (reference) body.reference = reference;
  return body;
}

async function runCompare(event) {
  event.preventDefault();
  if (compare.controller) return;
  let body;
  try {
    body = compareRequest();
  } catch (e) {
    showError($('compare-error'), e.message);
    return;
  }
  resetCompareOutput();
  for (const m of body.reference ? [body.reference, ...body.models] : body.models) {
    if (!progressLine(m).dataset.status) showProgress({ model: m, status: 'waiting' });
  }
  const controller = new AbortController();
  compare.controller = controller;
  compareState('running');
  let reference = body.reference || null;
  let finished = false;
  try {
    const lines = await postStream('/api/compare', body, controller.signal);
    for await (const line of lines) {
      if (line.error) throw new Error(errorText(line));
      if (line.done) {
        reference = line.reference || reference;
        for (const r of line.results || []) showResult(r, reference);
        finished = true;
      } else if (line.result) {
        showResult({ model: line.model, ...line.result }, reference);
      } else if (line.status && line.model) {
        showProgress(line);
      }
    }
    if (!finished) throw new Error('the comparison ended before its results were complete');
    compareState('done');
  } catch (e) {
    if (aborted(e)) {
      settleProgress('stopped');
      compareState('stopped');
    } else {
      settleProgress('not run');
      showError($('compare-error'), `The comparison failed: ${e.message}`);
      compareState('error');
    }
  } finally {
    compare.controller = null;
    if ($('compare-output').dataset.state === 'running') compareState('done');
  }
}

// ------------------------------------------------------------------------------------------------------ start

async function start() {
  $('tab-chat').addEventListener('click', () => selectTab('chat'));
  $('tab-compare').addEventListener('click', () => selectTab('compare'));
  $('chat-form').addEventListener('submit', sendChat);
  $('chat-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('chat-form').requestSubmit();
    }
  });
  $('chat-stop').addEventListener('click', () => chat.controller && chat.controller.abort());
  $('chat-clear').addEventListener('click', clearChat);
  watchLogScroll();
  $('compare-form').addEventListener('submit', runCompare);
  $('compare-stop').addEventListener('click', () => compare.controller && compare.controller.abort());
  if (location.hash === '#compare') selectTab('compare');

  try {
    const version = await getJson('/api/version');
    $('server-info').textContent = `server ${version.version}`;
    await loadModels();
    document.body.dataset.ready = 'true';
  } catch (e) {
    $('server-info').textContent = 'offline';
    showError($('global-error'), `Cannot reach the mbllm server: ${e.message}`);
  }
}

document.addEventListener('DOMContentLoaded', start);
