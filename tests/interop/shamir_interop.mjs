// Interop: vouch's Shamir (core/shamir, via shamir_tool) against the npm
// package shamir-secret-sharing (a port of HashiCorp Vault's shamir; same
// field 0x11B and share layout y ‖ x). Both directions, several (t, n), and
// negative cases (too few, tampered, duplicate, malformed shares).
//
//   node shamir_interop.mjs PATH/TO/shamir_tool
//   node shamir_interop.mjs --write-vectors OUT.json   (regenerates the fixture
//       core/testdata/shamir_vectors.json from the npm package alone)
//
// Exits non-zero with a message on the first mismatch.
import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import { split, combine } from "shamir-secret-sharing";

const hex = (u8) => Buffer.from(u8).toString("hex");
const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));
const eq = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

import { check, checks } from "./check.mjs";

function npmVersion() {
  const pkg = new URL("./node_modules/shamir-secret-sharing/package.json", import.meta.url);
  return JSON.parse(fs.readFileSync(pkg, "utf8")).version;
}

// ---- fixture mode ----------------------------------------------------------
if (process.argv[2] === "--write-vectors") {
  const out = process.argv[3];
  if (!out) {
    console.error("usage: node shamir_interop.mjs --write-vectors OUT.json");
    process.exit(2);
  }
  const cases = [
    { t: 2, n: 2, secret: new Uint8Array([0x00]) },
    { t: 2, n: 3, secret: randomBytes(16) },
    { t: 3, n: 5, secret: randomBytes(32) },
    { t: 3, n: 5, secret: new TextEncoder().encode("vouch shamir known-answer vector") },
    { t: 5, n: 8, secret: new Uint8Array(32).fill(0xff) },
    { t: 10, n: 12, secret: randomBytes(48) },
    { t: 255, n: 255, secret: randomBytes(4) },
  ];
  const items = [];
  for (const c of cases) {
    const shares = await split(new Uint8Array(c.secret), c.n, c.t);
    check(eq(await combine(shares), c.secret), `npm self-check t=${c.t} n=${c.n}`);
    items.push({ kind: "shamir", t: c.t, n: c.n, secret_hex: hex(c.secret), shares_hex: shares.map(hex) });
  }
  const doc = {
    description:
      "Shamir GF(2^8)/0x11B shares, layout y bytes then x byte (DESIGN §3 Shares). " +
      "Produced by an independent implementation, not by vouch: npm shamir-secret-sharing " +
      `${npmVersion()} split(secret, n, t), which picks random distinct non-zero x. ` +
      "Regenerate with: node tests/interop/shamir_interop.mjs --write-vectors core/testdata/shamir_vectors.json",
    items,
  };
  fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
  console.log(`wrote ${items.length} vectors to ${out}`);
  process.exit(0);
}

// ---- interop mode ----------------------------------------------------------
const tool = process.argv[2];
if (!tool) {
  console.error("usage: node shamir_interop.mjs PATH/TO/shamir_tool");
  process.exit(2);
}

function run(args) {
  const r = spawnSync(tool, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}
function vouchSplit(secret, t, n) {
  const r = run(["split", hex(secret), String(t), String(n)]);
  check(r.status === 0, `vouch split t=${t} n=${n} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split("\n").map(unhex);
}
function vouchCombine(shares) {
  const r = run(["combine", ...shares.map(hex)]);
  check(r.status === 0, `vouch combine of ${shares.length} shares exited ${r.status}: ${r.stderr}`);
  return unhex(r.stdout.trim());
}
// Expects vouch to refuse with exit 1 and `needle` in its message.
function vouchRefuses(args, needle, what) {
  const r = run(args);
  check(r.status === 1, `vouch should refuse ${what}, exited ${r.status} (stdout ${r.stdout.trim()})`);
  check(r.stderr.includes(needle), `vouch refusal of ${what}: expected "${needle}" in "${r.stderr.trim()}"`);
}
async function npmRefuses(fn, what) {
  let threw = false;
  try {
    await fn();
  } catch {
    threw = true;
  }
  check(threw, `shamir-secret-sharing should refuse ${what}`);
}

// A random subset of `k` of `shares`, in random order.
function pick(shares, k) {
  const idx = shares.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k).map((i) => shares[i]);
}
// Copy of `shares` with one y byte of share 0 changed.
function tamper(shares) {
  const out = shares.map((s) => new Uint8Array(s));
  const b = randomInt(out[0].length - 1);
  out[0][b] ^= 1 << randomInt(8);
  return out;
}

// Checks a subset of fewer than t shares, and a tampered t-subset: both
// implementations return a secret (they cannot know t), it is wrong, and it
// is the same wrong value in both (same interpolation).
async function checkWrongSecrets(label, secret, shares, t) {
  if (t - 1 >= 2) {
    const few = pick(shares, t - 1);
    const n = await combine(few);
    const v = vouchCombine(few);
    check(!eq(n, secret), `${label}: npm recovered the secret from ${t - 1} < t shares`);
    check(!eq(v, secret), `${label}: vouch recovered the secret from ${t - 1} < t shares`);
    check(eq(n, v), `${label}: npm and vouch disagree on ${t - 1} shares: ${hex(n)} vs ${hex(v)}`);
  }
  const bad = tamper(pick(shares, t));
  const n = await combine(bad);
  const v = vouchCombine(bad);
  check(!eq(n, secret), `${label}: npm recovered the secret from a tampered share`);
  check(!eq(v, secret), `${label}: vouch recovered the secret from a tampered share`);
  check(eq(n, v), `${label}: npm and vouch disagree on tampered shares: ${hex(n)} vs ${hex(v)}`);
}

const cases = [
  [2, 2, 1],
  [2, 3, 32],
  [3, 5, 32],
  [4, 7, 16],
  [5, 5, 64],
  [10, 16, 32],
  [255, 255, 32],
];

for (const [t, n, len] of cases) {
  const secret = new Uint8Array(randomBytes(len));

  // vouch produces, npm consumes.
  {
    const label = `vouch→npm t=${t} n=${n} len=${len}`;
    const shares = vouchSplit(secret, t, n);
    check(shares.length === n, `${label}: expected ${n} shares, got ${shares.length}`);
    shares.forEach((s, i) => {
      check(s.length === len + 1, `${label}: share ${i} is ${s.length} bytes, expected ${len + 1}`);
      check(s[len] === i + 1, `${label}: share ${i} has x=${s[len]}, expected ${i + 1}`);
    });
    check(eq(await combine(shares), secret), `${label}: npm combine of all ${n} shares`);
    const sub = pick(shares, t);
    check(eq(await combine(sub), secret), `${label}: npm combine of a random ${t}-subset`);
    check(eq(vouchCombine(sub), secret), `${label}: vouch combine of a random ${t}-subset`);
    await checkWrongSecrets(label, secret, shares, t);
  }

  // npm produces (random distinct x), vouch consumes.
  {
    const label = `npm→vouch t=${t} n=${n} len=${len}`;
    const shares = await split(secret, n, t);
    check(eq(vouchCombine(shares), secret), `${label}: vouch combine of all ${n} shares`);
    const sub = pick(shares, t);
    check(eq(vouchCombine(sub), secret), `${label}: vouch combine of a random ${t}-subset`);
    await checkWrongSecrets(label, secret, shares, t);
  }
}

// Refusals by both.
const secret = new Uint8Array(randomBytes(16));
const shares = await split(secret, 3, 2);
const [a, b] = shares;
vouchRefuses(["combine", hex(a)], "expected at least 2 shares, got 1", "a single share");
await npmRefuses(() => combine([a]), "a single share");
vouchRefuses(["combine", hex(a), hex(a)], "repeats the share at index 0", "a duplicated share");
await npmRefuses(() => combine([a, a]), "a duplicated share");
const short = b.slice(1);
vouchRefuses(["combine", hex(a), hex(short)], "expected 17 bytes like the share at index 0, got 16",
  "shares of different lengths");
await npmRefuses(() => combine([a, short]), "shares of different lengths");
vouchRefuses(["combine", "01", "02"], "expected at least 2 bytes", "1-byte shares");
await npmRefuses(() => combine([unhex("01"), unhex("02")]), "1-byte shares");
// x = 0 is refused by vouch (the npm package does not check for it).
const zeroX = new Uint8Array(b);
zeroX[16] = 0;
vouchRefuses(["combine", hex(a), hex(zeroX)], "x coordinate is 0", "a share with x = 0");

vouchRefuses(["split", hex(secret), "4", "3"], "threshold 4 exceeds share count 3", "t > n");
await npmRefuses(() => split(secret, 3, 4), "t > n");
vouchRefuses(["split", hex(secret), "1", "3"], "threshold must be at least 2, got 1", "t = 1");
await npmRefuses(() => split(secret, 3, 1), "t = 1");
vouchRefuses(["split", hex(secret), "2", "256"], "share count must be at most 255, got 256", "n = 256");
await npmRefuses(() => split(secret, 256, 2), "n = 256");
vouchRefuses(["split", "", "2", "3"], "secret is empty", "an empty secret");
await npmRefuses(() => split(new Uint8Array(0), 3, 2), "an empty secret");

console.log(`shamir_interop: ${checks()} passed, 0 failed`);
