// The demo page: no build step, plain modules. Speech plays through Web Audio as NDJSON
// lines arrive from /v1/audio/speech/timed, and the current word is highlighted from the
// word timings on the same timeline.
const $ = (id) => document.getElementById(id);
const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// ---- Speech --------------------------------------------------------------------------
let playback;

async function loadVoices() {
  const response = await fetch('/v1/audio/voices');
  const { openai_voices: openai, voices } = await response.json();
  const select = $('speech-voice');
  const group = (label, items) => {
    const element = document.createElement('optgroup');
    element.label = label;
    for (const [value, text] of items) element.append(new Option(text, value));
    select.append(element);
  };
  group(
    'OpenAI names',
    openai.map((voice) => [voice, voice]),
  );
  group(
    'eSpeak voices',
    voices.filter((voice) => voice.engine === 'espeak').map((voice) => [voice.id, `${voice.name} (${voice.id})`]),
  );
}

function renderWords(text, current) {
  const element = $('speech-words');
  if (!current) {
    element.innerHTML = escapeHtml(text);
    return;
  }
  element.innerHTML = `${escapeHtml(text.slice(0, current.start))}<mark>${escapeHtml(text.slice(current.start, current.end))}</mark>${escapeHtml(text.slice(current.end))}`;
}

/** Seconds of the current playback heard so far (scheduled audio, clamped to what has been scheduled). */
function playedSeconds(session) {
  if (session.startTime === undefined) return 0;
  return Math.max(0, Math.min(session.context.currentTime - session.startTime, session.nextTime - session.startTime));
}

/**
 * Ends the current playback, whatever ended it: the listener (Stop), the audio running out, or an error. The
 * highlight goes, Stop is disabled (nothing plays), and the status says what was played.
 */
function endSpeech(reason, detail) {
  const session = playback;
  if (!session) return;
  playback = undefined;
  const played = playedSeconds(session);
  session.controller.abort();
  void session.context.close();
  renderWords(session.text);
  $('speech-stop').disabled = true;
  $('speech-play').disabled = false;
  const first = session.firstAudio === undefined ? '' : `; first audio after ${session.firstAudio.toFixed(0)} ms`;
  const status = {
    stopped: `Stopped after ${played.toFixed(1)} s of ${(session.nextTime - (session.startTime ?? 0)).toFixed(1)} s${first}.`,
    played: `Played ${played.toFixed(1)} s of speech${first}.`,
    error: `Error: ${detail} (played ${played.toFixed(1)} s).`,
  }[reason];
  $('speech-status').textContent = status;
  document.body.dataset.speech = reason === 'played' ? 'done' : reason;
}

function stopSpeech() {
  endSpeech('stopped');
}

/** Schedules one buffer of 16-bit PCM after the ones before it. */
function schedule(session, base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const samples = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
  const buffer = session.context.createBuffer(1, samples.length, 24000);
  const channel = buffer.getChannelData(0);
  for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
  const node = session.context.createBufferSource();
  node.buffer = buffer;
  node.connect(session.context.destination);
  if (session.startTime === undefined) {
    session.startTime = session.context.currentTime + 0.05;
    session.nextTime = session.startTime;
    session.firstAudio = performance.now() - session.started;
    $('speech-status').textContent = `Playing (first audio after ${session.firstAudio.toFixed(0)} ms)…`;
    document.body.dataset.speech = 'playing';
  }
  node.start(session.nextTime);
  session.nextTime += buffer.duration;
  session.last = node;
}

async function speak(event) {
  event.preventDefault();
  if (playback) endSpeech('stopped');
  const text = $('speech-text').value;
  const session = {
    text,
    context: new AudioContext({ sampleRate: 24000 }),
    controller: new AbortController(),
    words: [],
    started: performance.now(),
    startTime: undefined,
    nextTime: 0,
    firstAudio: undefined,
    last: undefined,
  };
  playback = session;
  $('speech-stop').disabled = false;
  $('speech-play').disabled = true;
  $('speech-status').textContent = 'Synthesizing…';
  document.body.dataset.speech = 'synthesizing';
  renderWords(text);
  const highlight = () => {
    if (playback !== session) return;
    if (session.startTime !== undefined) {
      const now = session.context.currentTime - session.startTime;
      const word = session.words.findLast((w) => w.startSeconds <= now);
      renderWords(text, word && now <= word.endSeconds + 0.05 ? word : undefined);
    }
    requestAnimationFrame(highlight);
  };
  requestAnimationFrame(highlight);
  try {
    const response = await fetch('/v1/audio/speech/timed', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: text, voice: $('speech-voice').value, response_format: 'pcm', speed: Number($('speech-speed').value) }),
      signal: session.controller.signal,
    });
    if (!response.ok) throw new Error((await response.json()).error.message);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        if (!line) continue;
        const message = JSON.parse(line);
        if (message.type === 'word') session.words.push(message);
        if (message.type === 'error') throw new Error(message.error.message);
        if (message.type === 'audio') schedule(session, message.data);
        if (message.type === 'done' && playback === session) {
          // Synthesis is over; playback is not. The status moves on when the last buffer has been heard.
          $('speech-status').textContent = `Playing ${message.audio_seconds.toFixed(1)} s of speech (all synthesized)…`;
          const caughtUp = session.context.currentTime >= session.nextTime;
          if (session.last && !caughtUp) session.last.onended = () => playback === session && endSpeech('played');
          else endSpeech('played');
        }
      }
    }
  } catch (error) {
    if (error.name !== 'AbortError' && playback === session) endSpeech('error', error.message);
  }
}

async function download() {
  const format = $('speech-format').value;
  const response = await fetch('/v1/audio/speech', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      input: $('speech-text').value,
      voice: $('speech-voice').value,
      response_format: format,
      speed: Number($('speech-speed').value),
    }),
  });
  if (!response.ok) {
    $('speech-status').textContent = `Error: ${(await response.json()).error.message}`;
    return;
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = `speech.${format}`;
  link.click();
}

// ---- Separation ----------------------------------------------------------------------
async function drawWaveform(canvas, url) {
  const context = new OfflineAudioContext(1, 1, 44100);
  const audio = await context.decodeAudioData(await (await fetch(url)).arrayBuffer());
  const data = audio.getChannelData(0);
  const width = (canvas.width = canvas.clientWidth * devicePixelRatio);
  const height = (canvas.height = canvas.clientHeight * devicePixelRatio);
  const draw = canvas.getContext('2d');
  draw.fillStyle = '#2f6fed';
  const step = Math.max(1, Math.floor(data.length / width));
  for (let x = 0; x < width; x++) {
    let peak = 0;
    for (let i = x * step; i < Math.min(data.length, (x + 1) * step); i++) peak = Math.max(peak, Math.abs(data[i]));
    const bar = Math.max(1, peak * height);
    draw.fillRect(x, (height - bar) / 2, 1, bar);
  }
}

function showStems(job) {
  const list = $('stems');
  list.innerHTML = '';
  const players = [];
  for (const stem of job.stems) {
    const url = `/v1/audio/separations/${job.id}/stems/${stem}`;
    const item = document.createElement('li');
    item.innerHTML = `<strong>${escapeHtml(stem)}</strong><canvas aria-label="${escapeHtml(stem)} waveform" role="img"></canvas>
      <button type="button" aria-pressed="false" data-action="solo">Solo</button>
      <button type="button" aria-pressed="false" data-action="mute">Mute</button>
      <audio controls preload="metadata" src="${url}" aria-label="${escapeHtml(stem)}"></audio>`;
    list.append(item);
    const audio = item.querySelector('audio');
    players.push({ stem, audio, item });
    void drawWaveform(item.querySelector('canvas'), url).catch(() => {});
  }
  list.onclick = (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    const pressed = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(pressed));
    const player = players.find((p) => p.item.contains(button));
    if (button.dataset.action === 'mute') player.audio.muted = pressed;
    if (button.dataset.action === 'solo') {
      for (const other of players) {
        if (other !== player) other.item.querySelector('[data-action="solo"]').setAttribute('aria-pressed', 'false');
        other.audio.muted = pressed && other !== player;
      }
    }
  };
  document.body.dataset.stems = job.stems.join(',');
}

async function separate(file) {
  const status = $('separation-status');
  const progress = $('separation-progress');
  status.textContent = `Uploading ${file.name}…`;
  progress.hidden = false;
  progress.value = 0;
  const form = new FormData();
  // The model goes before the file: the server reads fields that come ahead of the upload.
  form.append('model', $('separation-model').value);
  form.append('file', file);
  const response = await fetch('/v1/audio/separations', { method: 'POST', body: form });
  const job = await response.json();
  if (!response.ok) {
    progress.hidden = true;
    status.textContent = `Error: ${job.error.message}`;
    return;
  }
  const events = new EventSource(job.events);
  events.addEventListener('progress', (event) => {
    const view = JSON.parse(event.data);
    progress.value = view.progress;
    status.textContent = `Separating… ${(view.progress * 100).toFixed(0)}%${view.speed ? `, ${view.speed.toFixed(1)}× real time` : ''}`;
  });
  events.addEventListener('done', (event) => {
    events.close();
    const view = JSON.parse(event.data);
    progress.value = 1;
    status.textContent = `Done at ${view.speed.toFixed(1)}× real time: ${view.stems.join(', ')}.`;
    showStems(view);
  });
  events.addEventListener('error', (event) => {
    events.close();
    progress.hidden = true;
    status.textContent = event.data ? `Error: ${JSON.parse(event.data).error.message}` : 'Lost the connection to the server.';
  });
}

// ---- Stats ---------------------------------------------------------------------------
async function refreshStats() {
  try {
    const { counters, gauges } = await (await fetch('/metrics.json')).json();
    const sum = (name) => Object.values(counters[name] ?? {}).reduce((a, b) => a + b, 0);
    const rows = {
      'Active streams': gauges.sluice_active_streams ?? 0,
      Requests: sum('sluice_requests_total'),
      Errors: sum('sluice_errors_total'),
      'Speech speed': gauges.sluice_synthesis_speed ? `${gauges.sluice_synthesis_speed.toFixed(0)}× real time` : '–',
      'Separation speed': gauges.sluice_separation_speed ? `${gauges.sluice_separation_speed.toFixed(1)}× real time` : '–',
      'Audio sent': `${(sum('sluice_bytes_out_total') / 1e6).toFixed(2)} MB`,
    };
    $('stats').innerHTML = Object.entries(rows)
      .map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`)
      .join('');
  } catch {}
}

// ---- Batches (only when the server has a queue) -------------------------------------
async function refreshBatches() {
  try {
    const { enabled, batches } = await (await fetch('/v1/batches')).json();
    $('batches-section').hidden = !enabled;
    if (!enabled) return false;
    $('batches').innerHTML = batches
      .map((batch) => {
        const counts = `${batch.done} done, ${batch.failed} failed, ${batch.running} running, ${batch.waiting} waiting of ${batch.total}`;
        const speed = batch.speed > 0 ? `; ${batch.speed.toFixed(1)}× real time` : '';
        return `<li><span class="batch-name">${escapeHtml(batch.name)}</span> <progress max="1" value="${batch.progress}" aria-label="${escapeHtml(batch.name)} progress"></progress> <span class="batch-counts">${counts}${speed}${batch.cancelled ? ' (cancelled)' : ''}</span></li>`;
      })
      .join('');
    return true;
  } catch {
    return true;
  }
}

// ---- Wiring --------------------------------------------------------------------------
$('speech-form').addEventListener('submit', speak);
$('speech-stop').addEventListener('click', stopSpeech);
$('speech-download').addEventListener('click', download);
$('speech-speed').addEventListener('input', (event) => {
  $('speech-speed-value').textContent = `${Number(event.target.value).toFixed(1)}×`;
});
const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer.files[0];
  if (file) void separate(file);
});
$('separation-file').addEventListener('change', (event) => {
  const file = event.target.files[0];
  if (file) void separate(file);
});
void loadVoices();
void refreshStats();
setInterval(refreshStats, 2000);
void refreshBatches().then((enabled) => {
  if (enabled) setInterval(refreshBatches, 1000);
});

/** The separators the server has (the DSP one, and installed models). */
async function loadSeparators() {
  const select = $('separation-model');
  try {
    const { models } = await (await fetch('/v1/audio/separations/models')).json();
    select.replaceChildren(
      ...models.map((model) => {
        const option = document.createElement('option');
        option.value = model.name;
        option.textContent = `${model.name} — ${model.description}`;
        return option;
      }),
    );
  } catch {
    // Keep the DSP separator offered in the page itself.
  }
}
void loadSeparators();
