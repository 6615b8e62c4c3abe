// Verifies a vouch vector set (DESIGN §3 "Vectors": manifest.json + files)
// with independent code only: cbor-x for CBOR, @noble/curves for Ed25519,
// @hpke/core for HPKE, shamir-secret-sharing for Shamir. COSE structures
// (Sig_structure, RFC 9338 Countersign_structure) and did:key decoding are
// written here from the RFCs, not taken from vouch.
//
// usage: node vectors_interop.mjs VOUCH_BINARY [DIR...]
//   With no DIR: writes a fresh set with `vouch vectors` and checks it, and
//   checks the checked-in set in docs/vectors/.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Decoder, Encoder, Tag } from "cbor-x";
import { ed25519 } from "@noble/curves/ed25519.js";
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes128Gcm } from "@hpke/core";
import { combine } from "shamir-secret-sharing";
import { ed25519OfDidKey } from "./cose_parts.mjs";

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const encoder = new Encoder({ tagUint8Array: false, useRecords: false, mapsAsObjects: false });
const hex = (b) => Buffer.from(b).toString("hex");
const unhex = (s) => Buffer.from(s, "hex");
let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else { failed++; console.error(`FAIL: ${what}`); }
}

const didKeyToEd25519 = ed25519OfDidKey;

// Returns {protectedBytes, protectedMap, unprotected, payload, signature}.
function parseSign1(bytes) {
  const item = decoder.decode(bytes);
  if (!(item instanceof Tag) || item.tag !== 18) throw new Error("not a tagged COSE_Sign1");
  const [p, u, payload, signature] = item.value;
  return { protectedBytes: p, protectedMap: decoder.decode(p), unprotected: u, payload, signature };
}

function verifySign1(msg, publicKey) {
  const tbs = encoder.encode(["Signature1", Buffer.from(msg.protectedBytes), Buffer.alloc(0), Buffer.from(msg.payload)]);
  return ed25519.verify(msg.signature, tbs, publicKey);
}

// RFC 9338 §3.3: ["CounterSignatureV2", body_protected, sign_protected,
// external_aad, payload, other_fields = [signature]].
function verifyCountersignature(msg, cs, publicKey) {
  const [signProtected, , sig] = cs;
  const tbs = encoder.encode(["CounterSignatureV2", Buffer.from(msg.protectedBytes), Buffer.from(signProtected),
    Buffer.alloc(0), Buffer.from(msg.payload), [Buffer.from(msg.signature)]]);
  return ed25519.verify(sig, tbs, publicKey);
}

async function checkSet(dir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  check(manifest.version === 1, `${dir}: manifest version 1`);
  const kinds = new Set(manifest.items.map((i) => i.kind));
  for (const k of ["host-vc", "endorsed-vc", "hpke", "shamir"]) check(kinds.has(k), `${dir}: has a ${k} item`);
  for (const item of manifest.items) {
    const where = `${dir}: ${item.kind}`;
    if (item.kind === "host-vc" || item.kind === "endorsed-vc") {
      const bytes = fs.readFileSync(path.join(dir, item.file));
      const msg = parseSign1(bytes);
      const did = item.kind === "host-vc" ? item.did : item.host_did;
      check(msg.protectedMap.get(1) === -8, `${where}: alg EdDSA`);
      check(msg.protectedMap.get(3) === "application/vouch-vc+cbor", `${where}: content type`);
      check(Buffer.from(msg.protectedMap.get(4)).toString() === did, `${where}: kid is the host DID`);
      const claims = decoder.decode(msg.payload);
      check(claims.get(1) === did, `${where}: iss is the host DID`);
      check(claims.get(7).length === 16, `${where}: cti is 16 bytes`);
      check(verifySign1(msg, didKeyToEd25519(did)), `${where}: host signature verifies (noble)`);
      const tampered = Buffer.from(msg.payload); tampered[tampered.length >> 1] ^= 1;
      check(!verifySign1({ ...msg, payload: tampered }, didKeyToEd25519(did)), `${where}: tampered payload refused (noble)`);
      if (item.kind === "endorsed-vc") {
        const list = msg.unprotected.get(11);
        check(Array.isArray(list) && list.length === item.validator_dids.length, `${where}: one countersignature per validator`);
        list.forEach((cs, i) => {
          const prot = decoder.decode(cs[0]);
          const vdid = Buffer.from(prot.get(4)).toString();
          check(vdid === item.validator_dids[i], `${where}: countersignature ${i} kid`);
          check(prot.get("vouch.verdict").get("ok") === true, `${where}: countersignature ${i} verdict ok`);
          check(verifyCountersignature(msg, cs, didKeyToEd25519(vdid)), `${where}: countersignature ${i} verifies (noble)`);
          const other = { ...msg, signature: Buffer.alloc(64, 7) };
          check(!verifyCountersignature(other, cs, didKeyToEd25519(vdid)), `${where}: countersignature ${i} bound to the VC signature`);
        });
      }
    } else if (item.kind === "hpke") {
      const [enc, ct] = decoder.decode(fs.readFileSync(path.join(dir, item.file)));
      const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
      const sk = await suite.kem.deserializePrivateKey(unhex(item.recipient_sk_hex));
      const pt = await suite.open({ recipientKey: sk, enc, info: unhex(item.info_hex) }, ct, unhex(item.aad_hex));
      check(hex(new Uint8Array(pt)) === item.plaintext_hex, `${where}: @hpke/core opens the sealed share`);
      let refused = false;
      try {
        await suite.open({ recipientKey: sk, enc, info: unhex(item.info_hex) }, ct, Buffer.from("other aad"));
      } catch { refused = true; }
      check(refused, `${where}: other aad refused (@hpke/core)`);
    } else if (item.kind === "di-vc") {
      // The endorsed VC's W3C form (tests/interop/vc_interop.mjs holds it to
      // Digital Bazaar's libraries): signers and chain as the manifest says,
      // and vouch's own check at its validFrom.
      const doc = JSON.parse(fs.readFileSync(path.join(dir, item.file), "utf8"));
      check(doc.issuer === item.host_did, `${where}: issuer is the host DID`);
      const proofs = [].concat(doc.proof);
      check(proofs.length === 1 + item.validator_dids.length, `${where}: one proof per signer`);
      check(proofs[0].verificationMethod.startsWith(`${item.host_did}#`), `${where}: the host's proof first`);
      item.validator_dids.forEach((vdid, i) => {
        check(proofs[i + 1].verificationMethod.startsWith(`${vdid}#`), `${where}: validator ${i}'s proof`);
        check(proofs[i + 1].previousProof === proofs[0].id, `${where}: validator ${i}'s proof chains to the host's`);
      });
      const r = spawnSync(vouch, ["vc", "verify", path.join(dir, item.file), "--at", doc.validFrom], { encoding: "utf8" });
      check(r.status === 0, `${where}: vouch vc verify: ${r.stderr}`);
    } else if (item.kind === "vc-cose") {
      // The endorsed VC as application/vc+cose (tests/interop/vc_cose_interop.mjs
      // holds it to the VC 2.0 rules): the host's COSE_Sign1 over the JSON,
      // the validators' countersignatures on it, and vouch's own check.
      const msg = parseSign1(fs.readFileSync(path.join(dir, item.file)));
      check(msg.protectedMap.get(1) === -8, `${where}: alg EdDSA`);
      check(msg.protectedMap.get(16) === "application/vc+cose", `${where}: typ`);
      check(msg.protectedMap.get(3) === "application/vc", `${where}: content type`);
      check(Buffer.from(msg.protectedMap.get(4)).toString() === item.host_did, `${where}: kid is the host DID`);
      const doc = JSON.parse(Buffer.from(msg.payload).toString("utf8"));
      check(doc.issuer === item.host_did, `${where}: issuer is the host DID`);
      check(verifySign1(msg, didKeyToEd25519(item.host_did)), `${where}: host signature verifies (noble)`);
      const list = msg.unprotected.get(11);
      check(Array.isArray(list) && list.length === item.validator_dids.length, `${where}: one countersignature per validator`);
      (list || []).forEach((cs, i) => {
        const vdid = Buffer.from(decoder.decode(cs[0]).get(4)).toString();
        check(vdid === item.validator_dids[i], `${where}: countersignature ${i} kid`);
        check(verifyCountersignature(msg, cs, didKeyToEd25519(vdid)), `${where}: countersignature ${i} verifies (noble)`);
      });
      const r = spawnSync(vouch, ["vc", "verify", path.join(dir, item.file), "--at", doc.validFrom], { encoding: "utf8" });
      check(r.status === 0, `${where}: vouch vc verify: ${r.stderr}`);
    } else if (item.kind === "shamir") {
      const shares = item.shares_hex.map((s) => new Uint8Array(unhex(s)));
      const first = await combine(shares.slice(0, item.t));
      const last = await combine(shares.slice(-item.t));
      check(hex(first) === item.secret_hex && hex(last) === item.secret_hex, `${where}: shamir-secret-sharing combines t shares`);
      const few = await combine(shares.slice(0, item.t - 1));
      check(hex(few) !== item.secret_hex, `${where}: t-1 shares do not give the secret`);
    } else {
      check(false, `${where}: unknown kind`);
    }
  }
}

const [vouch, ...dirs] = process.argv.slice(2);
if (!vouch) { console.error("usage: vectors_interop.mjs VOUCH_BINARY [DIR...]"); process.exit(2); }
let fresh = null;  // removed at the end
if (dirs.length === 0) {
  fresh = fs.mkdtempSync(path.join(os.tmpdir(), "vouch-vectors-"));
  const r = spawnSync(vouch, ["vectors", fresh], { encoding: "utf8" });
  if (r.status !== 0) { console.error(`vouch vectors failed: ${r.stderr}`); process.exit(1); }
  dirs.push(fresh, path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../docs/vectors"));
}
for (const d of dirs) await checkSet(d);
if (fresh) fs.rmSync(fresh, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
