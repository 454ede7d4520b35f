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

function stopSpeech() {
  playback?.controller.abort();
  playback?.context.close();
  playback = undefined;
  $('speech-stop').disabled = true;
  $('speech-play').disabled = false;
}

async function speak(event) {
  event.preventDefault();
  stopSpeech();
  const text = $('speech-text').value;
  const context = new AudioContext({ sampleRate: 24000 });
  const controller = new AbortController();
  const words = [];
  playback = { context, controller };
  $('speech-stop').disabled = false;
  $('speech-play').disabled = true;
  $('speech-status').textContent = 'Synthesizing…';
  renderWords(text);
  const started = performance.now();
  let startTime;
  let nextTime = 0;
  let firstAudio;
  const highlight = () => {
    if (playback?.context !== context) return;
    if (startTime !== undefined) {
      const now = context.currentTime - startTime;
      const word = words.findLast((w) => w.startSeconds <= now);
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
      signal: controller.signal,
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
        if (message.type === 'word') words.push(message);
        if (message.type === 'error') throw new Error(message.error.message);
        if (message.type === 'audio') {
          const bytes = Uint8Array.from(atob(message.data), (c) => c.charCodeAt(0));
          const samples = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
          const buffer = context.createBuffer(1, samples.length, 24000);
          const channel = buffer.getChannelData(0);
          for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
          const node = context.createBufferSource();
          node.buffer = buffer;
          node.connect(context.destination);
          if (startTime === undefined) {
            startTime = context.currentTime + 0.05;
            nextTime = startTime;
            firstAudio = performance.now() - started;
            $('speech-status').textContent = `Playing (first audio after ${firstAudio.toFixed(0)} ms)…`;
            document.body.dataset.speech = 'playing';
          }
          node.start(nextTime);
          nextTime += buffer.duration;
        }
        if (message.type === 'done') {
          $('speech-status').textContent =
            `${message.audio_seconds.toFixed(1)} s of speech; first audio after ${firstAudio?.toFixed(0)} ms.`;
          document.body.dataset.speech = 'done';
        }
      }
    }
  } catch (error) {
    if (error.name !== 'AbortError') $('speech-status').textContent = `Error: ${error.message}`;
  } finally {
    $('speech-play').disabled = false;
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
