// Interop: vouch's HPKE (core/hpke, via hpke_tool) against @hpke/core, an
// independent RFC 9180 implementation on WebCrypto. Base mode,
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, with AES-128-GCM (the suite vouch
// seals shares with), AES-256-GCM and the export-only AEAD (@hpke/core has
// no ChaCha20-Poly1305; RFC 9180 A.2 covers that one in core/hpke_test.cc).
//
// Both directions for multi-message contexts, single-shot seal, exporter
// secrets and DeriveKeyPair; negative cases: tampered ct / enc, wrong info /
// aad, out-of-order messages are refused by both implementations.
//
//   node hpke_interop.mjs PATH/TO/hpke_tool
//
// Exits non-zero with a message on the first mismatch.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  Aes128Gcm,
  Aes256Gcm,
  CipherSuite,
  DhkemX25519HkdfSha256,
  ExportOnly,
  HkdfSha256,
} from "@hpke/core";

const tool = process.argv[2];
if (!tool) {
  console.error("usage: node hpke_interop.mjs PATH/TO/hpke_tool");
  process.exit(2);
}

const hex = (u8) => Buffer.from(u8 instanceof ArrayBuffer ? new Uint8Array(u8) : u8).toString("hex");
const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));
const enc = (s) => new TextEncoder().encode(s);

import { check, checks, countCheck } from "./check.mjs";

// Runs hpke_tool; returns {status, stdout, stderr}.
function run(args, input) {
  const r = spawnSync(tool, args, { input, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) {
    console.error(`FAIL: cannot run ${tool}: ${r.error.message}`);
    process.exit(1);
  }
  return r;
}
// Runs hpke_tool and requires success.
function ok(args, input) {
  const r = run(args, input);
  check(r.status === 0, `hpke_tool ${args.slice(0, 3).join(" ")} … exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}
// Runs hpke_tool and requires the refusal contract: exit 1, one message.
function refused(args, what, needle) {
  const r = run(args);
  check(r.status === 1, `${what}: vouch should refuse (exit 1), got exit ${r.status} stdout '${r.stdout}'`);
  check(r.stdout === "", `${what}: vouch printed output on failure: '${r.stdout}'`);
  check(r.stderr.includes(needle), `${what}: vouch message lacks '${needle}': ${r.stderr}`);
}
async function jsRefuses(promise, what) {
  try {
    await promise;
  } catch (e) {
    countCheck();
    return;
  }
  check(false, `${what}: @hpke/core should refuse`);
}
function flipBit(hexstr, bit) {
  const b = unhex(hexstr);
  b[bit >> 3] ^= 1 << (bit & 7);
  return hex(b);
}

const AEADS = [
  { name: "aes128gcm", make: () => new Aes128Gcm() },
  { name: "aes256gcm", make: () => new Aes256Gcm() },
];

for (const { name, make } of AEADS) {
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: make() });
  const A = ["--aead", name];
  const info = enc(`vouch share v1 ${name} 6b2c1f0e-7d0a-4c53-9d1e-000000000001`);
  const aad = randomBytes(32);
  const pts = [enc("share one"), new Uint8Array(0), randomBytes(100)];

  // ---- vouch seals (one context, three messages) -> @hpke/core opens -------
  {
    const key = JSON.parse(ok([...A, "keygen"]));
    const sealed = JSON.parse(ok([...A, "seal", key.pk, hex(info), hex(aad), ...pts.map(hex)]));
    check(sealed.enc.length === 64 && sealed.cts.length === 3, `${name}: seal output shape`);
    const skR = await suite.kem.deserializePrivateKey(unhex(key.sk));
    const pkR = await suite.kem.deserializePublicKey(unhex(key.pk));
    const recipient = await suite.createRecipientContext({
      recipientKey: { privateKey: skR, publicKey: pkR }, enc: unhex(sealed.enc), info,
    });
    for (let i = 0; i < pts.length; i++) {
      const pt = await recipient.open(unhex(sealed.cts[i]), aad);
      check(hex(pt) === hex(pts[i]), `${name}: @hpke/core opened vouch message ${i} to ${hex(pt)}`);
    }
    // Same vouch output, received by @hpke/core with only the private key.
    const again = await suite.open({ recipientKey: skR, enc: unhex(sealed.enc), info }, unhex(sealed.cts[0]), aad);
    check(hex(again) === hex(pts[0]), `${name}: @hpke/core single-shot open of vouch message`);

    // Negative: tampered ct / enc, wrong aad / info, out of order.
    for (const bit of [0, 7, 100, sealed.cts[0].length * 4 - 1]) {
      await jsRefuses(suite.open({ recipientKey: skR, enc: unhex(sealed.enc), info },
                                 unhex(flipBit(sealed.cts[0], bit)), aad),
                      `${name}: vouch ct with bit ${bit} flipped`);
    }
    await jsRefuses(suite.open({ recipientKey: skR, enc: unhex(flipBit(sealed.enc, 3)), info },
                               unhex(sealed.cts[0]), aad), `${name}: vouch enc with a flipped bit`);
    await jsRefuses(suite.open({ recipientKey: skR, enc: unhex(sealed.enc), info },
                               unhex(sealed.cts[0]), enc("other aad")), `${name}: wrong aad`);
    await jsRefuses(suite.open({ recipientKey: skR, enc: unhex(sealed.enc), info: enc("other info") },
                               unhex(sealed.cts[0]), aad), `${name}: wrong info`);
    await jsRefuses(suite.open({ recipientKey: skR, enc: unhex(sealed.enc), info },
                               unhex(sealed.cts[1]), aad), `${name}: message 1 opened as message 0`);
  }

  // ---- @hpke/core seals (one context, three messages) -> vouch opens -------
  {
    const kp = await suite.kem.generateKeyPair();
    const skHex = hex(await suite.kem.serializePrivateKey(kp.privateKey));
    const pkHex = hex(await suite.kem.serializePublicKey(kp.publicKey));
    const sender = await suite.createSenderContext({ recipientPublicKey: kp.publicKey, info });
    const cts = [];
    for (const pt of pts) cts.push(hex(await sender.seal(pt, aad)));
    const encHex = hex(sender.enc);
    const opened = ok([...A, "open", skHex, encHex, hex(info), hex(aad), ...cts]).split("\n");
    check(opened.length === pts.length, `${name}: vouch opened ${opened.length} of ${pts.length} messages`);
    for (let i = 0; i < pts.length; i++) {
      check(opened[i] === hex(pts[i]), `${name}: vouch opened @hpke/core message ${i} to ${opened[i]}`);
    }
    // Single-shot seal by @hpke/core.
    const one = await suite.seal({ recipientPublicKey: kp.publicKey, info }, pts[0], aad);
    check(ok([...A, "open", skHex, hex(one.enc), hex(info), hex(aad), hex(one.ct)]) === hex(pts[0]),
          `${name}: vouch opens @hpke/core single-shot seal`);
    // A large plaintext, passed through stdin.
    const big = randomBytes(200000);
    const bigSealed = JSON.parse(ok([...A, "seal", pkHex, hex(info), hex(aad), "-"], hex(big)));
    const bigPt = await suite.open({ recipientKey: kp, enc: unhex(bigSealed.enc), info }, unhex(bigSealed.cts[0]), aad);
    check(hex(bigPt) === hex(big), `${name}: @hpke/core opens a 200000-byte vouch message (stdin)`);

    // Negative: every bit of @hpke/core's enc, bits of its ct, wrong info /
    // aad / key, messages out of order — vouch refuses each with kCrypto.
    for (let bit = 0; bit < 256; bit++) {
      refused([...A, "open", skHex, flipBit(hex(one.enc), bit), hex(info), hex(aad), hex(one.ct)],
              `${name}: @hpke/core enc with bit ${bit} flipped`, "crypto: ");
    }
    for (let bit = 0; bit < hex(one.ct).length * 4; bit += 13) {
      refused([...A, "open", skHex, hex(one.enc), hex(info), hex(aad), flipBit(hex(one.ct), bit)],
              `${name}: @hpke/core ct with bit ${bit} flipped`, "HPKE open failed");
    }
    refused([...A, "open", skHex, hex(one.enc), hex(info), hex(aad), hex(one.ct).slice(0, -2)],
            `${name}: truncated ct`, "HPKE open failed");
    refused([...A, "open", skHex, hex(one.enc), hex(enc("other info")), hex(aad), hex(one.ct)],
            `${name}: wrong info`, "HPKE open failed");
    refused([...A, "open", skHex, hex(one.enc), hex(info), hex(enc("other aad")), hex(one.ct)],
            `${name}: wrong aad`, "HPKE open failed");
    const other = JSON.parse(ok([...A, "keygen"]));
    refused([...A, "open", other.sk, hex(one.enc), hex(info), hex(aad), hex(one.ct)],
            `${name}: wrong recipient key`, "HPKE open failed");
    refused([...A, "open", skHex, encHex, hex(info), hex(aad), cts[1], cts[0]],
            `${name}: @hpke/core messages out of order`, "message 0: HPKE open failed");
  }

  // ---- exporter secrets agree, both directions ----------------------------
  {
    const key = JSON.parse(ok([...A, "keygen"]));
    const skR = await suite.kem.deserializePrivateKey(unhex(key.sk));
    for (const [ctx, L] of [[new Uint8Array(0), 32], [enc("vouch kcv"), 16], [randomBytes(64), 100]]) {
      const vs = JSON.parse(ok([...A, "export-sender", key.pk, hex(info), hex(ctx), String(L)]));
      const r = await suite.createRecipientContext({ recipientKey: skR, enc: unhex(vs.enc), info });
      check(hex(await r.export(ctx, L)) === vs.secret, `${name}: export(${hex(ctx)}, ${L}) vouch sender vs @hpke/core recipient`);

      const s = await suite.createSenderContext({ recipientPublicKey: await suite.kem.deserializePublicKey(unhex(key.pk)), info });
      const vr = ok([...A, "export-recipient", key.sk, hex(s.enc), hex(info), hex(ctx), String(L)]);
      check(vr === hex(await s.export(ctx, L)), `${name}: export(${hex(ctx)}, ${L}) @hpke/core sender vs vouch recipient`);
    }
  }
}

// ---- export-only AEAD (0xffff) ----------------------------------------------
{
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new ExportOnly() });
  const A = ["--aead", "exportonly"];
  const key = JSON.parse(ok([...A, "keygen"]));
  const skR = await suite.kem.deserializePrivateKey(unhex(key.sk));
  const info = enc("export only");
  const vs = JSON.parse(ok([...A, "export-sender", key.pk, hex(info), hex(enc("ctx")), "48"]));
  const r = await suite.createRecipientContext({ recipientKey: skR, enc: unhex(vs.enc), info });
  check(hex(await r.export(enc("ctx"), 48)) === vs.secret, "exportonly: vouch sender vs @hpke/core recipient");
  refused([...A, "seal", key.pk, "", "", "00"], "exportonly: seal", "invalid-argument");
}

// ---- DeriveKeyPair (RFC 9180 §7.1.3) agrees ----------------------------------
{
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
  for (let i = 0; i < 5; i++) {
    const ikm = randomBytes(32 + i * 7);
    const v = JSON.parse(ok(["derive", hex(ikm)]));
    const kp = await suite.kem.deriveKeyPair(ikm);
    check(v.pk === hex(await suite.kem.serializePublicKey(kp.publicKey)), `derive ${hex(ikm)}: public keys differ`);
    check(v.sk === hex(await suite.kem.serializePrivateKey(kp.privateKey)), `derive ${hex(ikm)}: private keys differ`);
  }
}

console.log(`hpke interop: ${checks()} checks passed against @hpke/core`);
