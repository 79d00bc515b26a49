// Verifies every webhook request recorded by webhook_receiver.py with the
// reference verifier of the Standard Webhooks spec (npm `standardwebhooks`):
// `new Webhook(secret).verify(body, headers)`, for each secret given (all
// must accept: while a secret rotation overlaps, both signatures are sent).
// Prints one line per request; exits 1 if any fails, 2 on bad usage.
//
// Usage: node verify.js RECEIVER_LOG.jsonl whsec_... [whsec_...]
"use strict";

const fs = require("fs");
let Webhook;
try {
  ({ Webhook } = require("standardwebhooks"));
} catch (e) {
  console.error(
    "standardwebhooks is not installed: run " +
      "`npm ci --prefix tests/notification/channels/verifier`");
  process.exit(3);
}

const [logPath, ...secrets] = process.argv.slice(2);
if (!logPath || secrets.length === 0) {
  console.error("usage: node verify.js RECEIVER_LOG.jsonl SECRET...");
  process.exit(2);
}
const lines = fs.readFileSync(logPath, "utf8").split("\n").filter((l) => l);
if (lines.length === 0) {
  console.error("no request recorded in " + logPath);
  process.exit(1);
}
let failed = 0;
lines.forEach((line, i) => {
  const request = JSON.parse(line);
  for (const [j, secret] of secrets.entries()) {
    try {
      new Webhook(secret).verify(request.body, request.headers);
      console.log(`request ${i} secret ${j}: ok ${request.headers["webhook-id"]}`);
    } catch (e) {
      failed++;
      console.log(`request ${i} secret ${j}: FAILED ${e.message}`);
    }
  }
});
process.exit(failed === 0 ? 0 : 1);
