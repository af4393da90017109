// Drives Troupe's OpenAI-compatible API with the official `openai` npm client (the version pinned in
// package-lock.json). Run by OpenAiServingEndToEndTest: `node openai-e2e.mjs BASE_URL MODEL PROMPT`.
// Prints one JSON object with what the client saw; the Java test checks it against a local greedy run.
import OpenAI from 'openai';

const [base, model, prompt] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const completion = await client.completions.create({ model, prompt, max_tokens: 12, temperature: 0 });
out.completion = {
  text: completion.choices[0].text,
  finish_reason: completion.choices[0].finish_reason,
  usage: completion.usage,
  object: completion.object,
};

let streamed = '';
let streamFinish = null;
let streamChunks = 0;
const stream = await client.completions.create({ model, prompt, max_tokens: 12, temperature: 0, stream: true });
for await (const chunk of stream) {
  streamChunks++;
  streamed += chunk.choices[0]?.text ?? '';
  streamFinish = chunk.choices[0]?.finish_reason ?? streamFinish;
}
out.completion_stream = { text: streamed, finish_reason: streamFinish, chunks: streamChunks };

const messages = [{ role: 'user', content: 'hi there' }];
const chat = await client.chat.completions.create({ model, messages, max_tokens: 6, temperature: 0 });
out.chat = {
  role: chat.choices[0].message.role,
  content: chat.choices[0].message.content,
  finish_reason: chat.choices[0].finish_reason,
  usage: chat.usage,
  object: chat.object,
};

let chatStreamed = '';
let chatRole = null;
let chatFinish = null;
const chatStream = await client.chat.completions.create({ model, messages, max_tokens: 6, temperature: 0, stream: true });
for await (const chunk of chatStream) {
  const choice = chunk.choices[0];
  chatRole = choice?.delta?.role ?? chatRole;
  chatStreamed += choice?.delta?.content ?? '';
  chatFinish = choice?.finish_reason ?? chatFinish;
}
out.chat_stream = { role: chatRole, content: chatStreamed, finish_reason: chatFinish };

try {
  await client.completions.create({ model: 'no-such-model', prompt: 'x', max_tokens: 1 });
  out.unknown_model = { error: 'no error raised' };
} catch (e) {
  out.unknown_model = {
    not_found_error: e instanceof OpenAI.NotFoundError,
    status: e.status,
    code: e.code ?? null,
    message: e.message,
  };
}

process.stdout.write(JSON.stringify(out) + '\n');
