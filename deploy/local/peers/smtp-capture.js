#!/usr/bin/env node
// An SMTP server that accepts every message and keeps it, for local development and tests: what a
// real mail provider would deliver is written to disk, and an HTTP/JSON view lets a test (or the
// notifier's reconciliation, like a provider's message-lookup API) find it by recipient or Message-ID.
// Started by deploy/local/peers/smtp.sh; run directly with `node deploy/local/peers/smtp-capture.js`.
//
//   SMTP  127.0.0.1:$SMTP_CAPTURE_PORT (1025)       no TLS, no AUTH, any sender, any recipient
//   HTTP  127.0.0.1:$SMTP_CAPTURE_HTTP_PORT (1080)
//     GET /health                       {"status":"ok","messages":<n>}
//     GET /messages[?to=&messageId=]    summaries, oldest first: id, messageId, from, to, envelope, subject, receivedAt
//     GET /messages?after=<id>          only the messages received after the one with that id (a cursor:
//                                       pass the last id seen; combinable with to= and messageId=)
//     GET /messages/<id>                the parsed message: + text, html, headers, attachments (metadata)
//     GET /messages/<id>/raw            the message as received (message/rfc822)
//   Disk  $SMTP_CAPTURE_DIR/<id>.eml and <id>.json, written atomically; reloaded at start.
//   SMTP_CAPTURE_HOST (default 127.0.0.1) is the interface both listen on (0.0.0.0 in a container).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const smtpPort = Number(process.env.SMTP_CAPTURE_PORT || 1025);
const httpPort = Number(process.env.SMTP_CAPTURE_HTTP_PORT || 1080);
const host = process.env.SMTP_CAPTURE_HOST || '127.0.0.1';
const directory = path.resolve(process.env.SMTP_CAPTURE_DIR || path.join(__dirname, '../../../tmp/local/smtp/messages'));
const maxMessageBytes = 10 * 1024 * 1024;

fs.mkdirSync(directory, { recursive: true });

/** @type {Map<string, object>} id -> stored message (parsed, without the raw bytes) */
const messages = new Map();
let sequence = 0;

for (const file of fs.readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
  const stored = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));
  messages.set(stored.id, stored);
  sequence = Math.max(sequence, Number.parseInt(stored.id, 10) || 0);
}

/** The arrival sequence number at the head of a message id (00000042-1a2b3c4d → 42); undefined if there is none. */
const sequenceOf = (id) => (/^\d+/.test(id) ? Number.parseInt(id, 10) : undefined);
const addresses = (field) => (field ? [field].flat().flatMap((group) => group.value.map((entry) => entry.address)) : []);
// Message-IDs are compared without their angle brackets, as providers' lookup APIs do.
const bareMessageId = (value) => (value || '').trim().replace(/^<|>$/g, '');

function writeAtomically(file, content) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

async function store(raw, session) {
  const parsed = await simpleParser(raw);
  sequence += 1;
  const id = `${String(sequence).padStart(8, '0')}-${crypto.randomBytes(4).toString('hex')}`;
  const message = {
    id,
    messageId: bareMessageId(parsed.messageId),
    receivedAt: new Date().toISOString(),
    envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, to: session.envelope.rcptTo.map((r) => r.address) },
    from: addresses(parsed.from)[0] || null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject || '',
    date: parsed.date ? parsed.date.toISOString() : null,
    text: parsed.text || '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    headers: Object.fromEntries([...parsed.headers.entries()].map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)])),
    attachments: parsed.attachments.map((a) => ({ filename: a.filename || null, contentType: a.contentType, size: a.size })),
  };
  // The raw message first: a .json without its .eml never exists.
  writeAtomically(path.join(directory, `${id}.eml`), raw);
  writeAtomically(path.join(directory, `${id}.json`), JSON.stringify(message, null, 2));
  messages.set(id, message);
  return message;
}

const smtp = new SMTPServer({
  name: 'smtp-capture.local',
  banner: 'smtp-capture (development mail sink)',
  secure: false,
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  size: maxMessageBytes,
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      if (stream.sizeExceeded) return callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
      store(Buffer.concat(chunks), session).then(
        (message) => callback(null, `queued as ${message.id}`),
        (error) => callback(Object.assign(new Error(`could not store the message: ${error.message}`), { responseCode: 451 })),
      );
    });
  },
});
smtp.on('error', (error) => console.error('smtp-capture: SMTP error:', error.message));

const summary = ({ id, messageId, from, to, envelope, subject, receivedAt }) => ({ id, messageId, from, to, envelope, subject, receivedAt });

function sendJson(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const web = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  const parts = url.pathname.split('/').filter(Boolean);
  if (request.method !== 'GET') return sendJson(response, 405, { error: 'read-only' });
  if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok', messages: messages.size });
  if (parts[0] !== 'messages') return sendJson(response, 404, { error: 'not found' });
  if (parts.length === 1) {
    const to = url.searchParams.get('to');
    const messageId = url.searchParams.get('messageId');
    const after = url.searchParams.get('after');
    // Ids start with the arrival sequence number, so "after" holds even for an id no longer stored.
    const afterSequence = after === null ? undefined : sequenceOf(after);
    if (after !== null && afterSequence === undefined) return sendJson(response, 400, { error: 'after must be a message id' });
    const found = [...messages.values()].filter(
      (m) =>
        (afterSequence === undefined || sequenceOf(m.id) > afterSequence) &&
        (!to || m.envelope.to.concat(m.to).some((address) => address.toLowerCase() === to.toLowerCase())) &&
        (!messageId || m.messageId === bareMessageId(messageId)),
    );
    return sendJson(response, 200, found.map(summary));
  }
  const message = messages.get(parts[1]);
  if (!message) return sendJson(response, 404, { error: 'no such message' });
  if (parts.length === 2) return sendJson(response, 200, message);
  if (parts.length === 3 && parts[2] === 'raw') {
    response.writeHead(200, { 'content-type': 'message/rfc822' });
    return fs.createReadStream(path.join(directory, `${message.id}.eml`)).pipe(response);
  }
  return sendJson(response, 404, { error: 'not found' });
});

smtp.listen(smtpPort, host, () => {
  web.listen(httpPort, host, () => {
    console.log(`smtp-capture: SMTP ${host}:${smtpPort}, HTTP ${host}:${httpPort}, ${messages.size} stored message(s) in ${directory}`);
  });
});

function shutdown() {
  web.close();
  smtp.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
